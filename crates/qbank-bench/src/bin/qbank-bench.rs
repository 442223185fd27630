//! `qbank-bench`: end-to-end timings of `qbank check` and `qbank build` on
//! synthetic banks, against a floor (walk, read and parse every file with
//! pulldown-cmark on one thread).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
#[command(name = "qbank-bench", version)]
/// Measure `qbank check` and `qbank build` against a parse-only floor.
struct Args {
    /// Bank sizes (questions), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1000usize, 10000, 100000])]
    sizes: Vec<usize>,
    /// Repetitions per step (interleaved); the median is reported.
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The `qbank` binary (default: `qbank` beside this binary, i.e. target/release/qbank).
    #[arg(long)]
    qbank: Option<PathBuf>,
    /// Blueprint for the synthetic banks.
    #[arg(long, default_value = "content/blueprint.yaml")]
    blueprint: PathBuf,
    /// Folder for the temporary banks.
    #[arg(long, default_value = "/tmp")]
    tmp: PathBuf,
    /// Steps to run, comma-separated: check, json, html, anki, all (the floor always runs).
    #[arg(long, value_delimiter = ',', default_values_t = vec!["check".to_string(), "json".into(), "html".into(), "anki".into(), "all".into()])]
    steps: Vec<String>,
    /// Keep the generated banks (their paths are printed).
    #[arg(long)]
    keep: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Floor,
    Check,
    Build(&'static str),
}

impl Step {
    fn selected(self, steps: &[String]) -> bool {
        let key = match self {
            Step::Floor => return true,
            Step::Check => "check",
            Step::Build("json,html,anki") => "all",
            Step::Build(f) => f,
        };
        steps.iter().any(|s| s == key)
    }

    fn name(self) -> String {
        match self {
            Step::Floor => "floor (walk+read+pulldown-cmark, 1 thread)".into(),
            Step::Check => "check".into(),
            Step::Build(f) => format!("build {f}"),
        }
    }
}

const STEPS: &[Step] = &[
    Step::Floor,
    Step::Check,
    Step::Build("json"),
    Step::Build("html"),
    Step::Build("anki"),
    Step::Build("json,html,anki"),
];

#[derive(Default, Clone)]
struct Samples {
    times: Vec<Duration>,
    /// CPU time (user + system) of each repetition, where it could be read.
    cpu: Vec<Duration>,
    rss_kb: Vec<u64>,
    failed: Option<String>,
}

impl Samples {
    fn median(&self) -> Option<Duration> {
        median(&self.times)
    }
    /// Each repetition's time divided by the floor's time in the same
    /// repetition. Pairing the two cancels most of the drift of a shared
    /// machine, which moves both in the same repetition.
    fn ratios_to(&self, floor: &Samples) -> Option<Ratios> {
        if self.failed.is_some() || self.times.is_empty() || self.times.len() != floor.times.len() {
            return None;
        }
        let mut r: Vec<f64> = self
            .times
            .iter()
            .zip(&floor.times)
            .map(|(t, f)| t.as_secs_f64() / f.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        Some(Ratios(r))
    }
    /// Median CPU time, when every repetition's could be read.
    fn median_cpu(&self) -> Option<Duration> {
        (self.cpu.len() == self.times.len())
            .then(|| median(&self.cpu))
            .flatten()
    }
    fn peak_rss_kb(&self) -> Option<u64> {
        self.rss_kb.iter().copied().max()
    }
}

/// A step's paired ratios to the floor ([`Samples::ratios_to`]), sorted;
/// never empty.
struct Ratios(Vec<f64>);

impl Ratios {
    /// The middle ratio (the upper one of an even count).
    fn median(&self) -> f64 {
        self.0[self.0.len() / 2]
    }
    /// The lowest and the highest.
    fn range(&self) -> (f64, f64) {
        (self.0[0], self.0[self.0.len() - 1])
    }
    /// How many are at most `limit`.
    fn within(&self, limit: f64) -> usize {
        self.0.iter().filter(|&&x| x <= limit).count()
    }
}

/// The middle value (the upper one of an even count); `None` when there is none.
fn median(values: &[Duration]) -> Option<Duration> {
    let mut v = values.to_vec();
    v.sort();
    v.get(v.len() / 2).copied()
}

struct Outcome {
    elapsed: Duration,
    rss_kb: Option<u64>,
    ok: bool,
    stderr_tail: String,
}

/// Parse-only floor: no qbank code.
fn floor(content: &Path) -> (usize, usize) {
    use pulldown_cmark::{Options, Parser};
    let mut files = 0usize;
    let mut events = 0usize;
    for e in walkdir::WalkDir::new(content).sort_by_file_name() {
        let Ok(e) = e else { continue };
        if !e.file_type().is_file() || e.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        files += 1;
        let opts = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_TABLES;
        events += Parser::new_ext(&text, opts).count();
    }
    (files, std::hint::black_box(events))
}

/// Write the system's dirty pages to disk (`sync`) before a timed step, so
/// the kernel's writeback of the freshly generated bank or of the previous
/// build's output (up to 110 MB at 10,000 questions) does not run during it.
/// Where there is no `sync` command, steps run without it.
fn settle() {
    let _ = Command::new("sync").status();
}

/// CPU time (user + system) used so far by this process (`self_`) or by its
/// children that have ended and been waited for, with their own children.
#[cfg(unix)]
fn cpu_time(self_: bool) -> Option<Duration> {
    use nix::sys::resource::{getrusage, UsageWho};
    let who = if self_ {
        UsageWho::RUSAGE_SELF
    } else {
        UsageWho::RUSAGE_CHILDREN
    };
    let u = getrusage(who).ok()?;
    let d = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    Some(d(u.user_time()) + d(u.system_time()))
}

#[cfg(not(unix))]
fn cpu_time(_self: bool) -> Option<Duration> {
    None
}

/// CPU time spent between two readings of [`cpu_time`].
fn cpu_between(before: Option<Duration>, after: Option<Duration>) -> Option<Duration> {
    after?.checked_sub(before?)
}

fn have_gnu_time() -> bool {
    Path::new("/usr/bin/time").is_file()
}

/// Run `qbank args…`, output discarded; the outcome (wall time and peak RSS
/// of the child) and the user + system CPU time of the child's whole process
/// tree: with `/usr/bin/time` in between, its own share (about a millisecond)
/// is included.
fn run_qbank(qbank: &Path, args: &[&str], scratch: &Path) -> (Outcome, Option<Duration>) {
    let before = cpu_time(false);
    let o = run_child(qbank, args, scratch);
    (o, cpu_between(before, cpu_time(false)))
}

/// [`run_qbank`] without the CPU time, which is read around the whole call.
fn run_child(qbank: &Path, args: &[&str], scratch: &Path) -> Outcome {
    if have_gnu_time() {
        let rss_file = scratch.join("rss.txt");
        let _ = std::fs::remove_file(&rss_file);
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(qbank)
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let elapsed = t.elapsed();
        let rss_kb = std::fs::read_to_string(&rss_file)
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
        match out {
            Ok(o) => Outcome {
                elapsed,
                rss_kb,
                ok: o.status.success(),
                stderr_tail: tail(&String::from_utf8_lossy(&o.stderr)),
            },
            Err(e) => Outcome {
                elapsed,
                rss_kb: None,
                ok: false,
                stderr_tail: e.to_string(),
            },
        }
    } else {
        // Poll VmHWM of the child while it runs.
        let t = Instant::now();
        let child = Command::new(qbank)
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                return Outcome {
                    elapsed: t.elapsed(),
                    rss_kb: None,
                    ok: false,
                    stderr_tail: e.to_string(),
                }
            }
        };
        let status_path = format!("/proc/{}/status", child.id());
        let mut hwm = 0u64;
        let status = loop {
            if let Ok(s) = std::fs::read_to_string(&status_path) {
                for l in s.lines() {
                    if let Some(v) = l.strip_prefix("VmHWM:") {
                        let kb = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                        hwm = hwm.max(kb);
                    }
                }
            }
            match child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(_) => break None,
            }
        };
        Outcome {
            elapsed: t.elapsed(),
            rss_kb: (hwm > 0).then_some(hwm),
            ok: status.is_some_and(|s| s.success()),
            stderr_tail: String::new(),
        }
    }
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(2)..].join(" | ")
}

fn dir_bytes(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let mut apparent = 0;
    let mut blocks = 0;
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if let Ok(m) = e.metadata() {
            if m.is_file() {
                apparent += m.len();
                blocks += m.blocks() * 512;
            }
        }
    }
    (apparent, blocks)
}

fn fmt_dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

struct SizeResult {
    n: usize,
    bank_bytes: u64,
    bank_disk: u64,
    samples: Vec<Samples>,
}

impl SizeResult {
    fn step(&self, s: Step) -> &Samples {
        let i = STEPS.iter().position(|x| *x == s).unwrap_or(0);
        &self.samples[i]
    }
}

fn bench_size(a: &Args, qbank: &Path, n: usize) -> Result<SizeResult, String> {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("qbank-bench-{n}-"))
        .tempdir_in(&a.tmp)
        .map_err(|e| format!("temp dir: {e}"))?;
    let bank = tmp.path().join("bank");
    let t = Instant::now();
    let stats = qbank_bench::generate(n, a.seed, &bank, &a.blueprint)
        .map_err(|e| format!("generating: {e}"))?;
    let (bank_bytes, bank_disk) = dir_bytes(&bank);
    eprintln!(
        "N={n}: generated {} questions, {} ({} on disk) in {:.1}s at {}",
        stats.questions,
        mb(bank_bytes),
        mb(bank_disk),
        t.elapsed().as_secs_f64(),
        bank.display()
    );
    let bank_s = bank.to_string_lossy().to_string();
    let content = bank.join("questions");
    let out_dir = tmp.path().join("out");
    let out_s = out_dir.to_string_lossy().to_string();

    // Warm-up (page cache, binary) and a validity check of the bank.
    settle();
    let _ = floor(&content);
    let (warm, _) = run_qbank(
        qbank,
        &["check", &bank_s, "--format", "concise"],
        tmp.path(),
    );
    if !warm.ok {
        eprintln!(
            "N={n}: warning: `qbank check` exits non-zero on the synthetic bank: {}",
            warm.stderr_tail
        );
    }

    let mut samples = vec![Samples::default(); STEPS.len()];
    for rep in 0..a.reps {
        for (si, step) in STEPS.iter().enumerate() {
            if samples[si].failed.is_some() || !step.selected(&a.steps) {
                continue;
            }
            if let Step::Build(_) = step {
                let _ = std::fs::remove_dir_all(&out_dir);
            }
            settle();
            match step {
                Step::Floor => {
                    let before = cpu_time(true);
                    let t = Instant::now();
                    let (files, _) = floor(&content);
                    samples[si].times.push(t.elapsed());
                    samples[si].cpu.extend(cpu_between(before, cpu_time(true)));
                    if files != n {
                        eprintln!("N={n}: floor saw {files} files");
                    }
                }
                Step::Check => {
                    let (o, cpu) = run_qbank(
                        qbank,
                        &["check", &bank_s, "--format", "concise"],
                        tmp.path(),
                    );
                    samples[si].times.push(o.elapsed);
                    samples[si].cpu.extend(cpu);
                    samples[si].rss_kb.extend(o.rss_kb);
                }
                Step::Build(fmt) => {
                    let (o, cpu) = run_qbank(
                        qbank,
                        &["build", &bank_s, "--out", &out_s, "--format", fmt],
                        tmp.path(),
                    );
                    if o.ok {
                        samples[si].times.push(o.elapsed);
                        samples[si].cpu.extend(cpu);
                        samples[si].rss_kb.extend(o.rss_kb);
                    } else {
                        eprintln!("N={n}: build {fmt} failed: {}", o.stderr_tail);
                        samples[si].failed = Some(o.stderr_tail);
                    }
                }
            }
            if let Some(t) = samples[si].times.last() {
                eprintln!("N={n} rep {rep}: {:<45} {}", step.name(), fmt_dur(*t));
            }
        }
    }
    if a.keep {
        let kept = tmp.keep();
        eprintln!("kept {}", kept.display());
    }
    Ok(SizeResult {
        n,
        bank_bytes,
        bank_disk,
        samples,
    })
}

fn main() -> ExitCode {
    let a = Args::parse();
    let qbank = a.qbank.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("qbank")))
            .unwrap_or_else(|| PathBuf::from("target/release/qbank"))
    });
    if !qbank.is_file() {
        eprintln!(
            "error: {} not found; run `cargo build --release` first or pass --qbank",
            qbank.display()
        );
        return ExitCode::from(2);
    }
    eprintln!(
        "qbank: {}; peak RSS via {}",
        qbank.display(),
        if have_gnu_time() {
            "/usr/bin/time -f %M"
        } else {
            "/proc/<pid>/status VmHWM polling"
        }
    );

    let mut results = Vec::new();
    for &n in &a.sizes {
        match bench_size(&a, &qbank, n) {
            Ok(r) => results.push(r),
            Err(e) => {
                eprintln!("error at N={n}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    print!("{}", report(&results, a.reps));
    ExitCode::SUCCESS
}

fn report(results: &[SizeResult], reps: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nMedian of {reps} interleaved repetitions; a ratio is the median of the \
         repetitions' own ratios (step time over the floor's time in the same repetition), \
         with the lowest and highest in brackets. CPU time is user plus system time, over \
         every core.\n"
    );
    let _ = writeln!(
        s,
        "| N | bank size (files / on disk) | step | median time | CPU time | ratio to floor | questions/s | peak RSS |"
    );
    let _ = writeln!(s, "|---:|---:|---|---:|---:|---:|---:|---:|");
    for r in results {
        for (si, step) in STEPS.iter().enumerate() {
            let smp = &r.samples[si];
            if smp.times.is_empty() && smp.failed.is_none() {
                continue;
            }
            let size = format!("{} / {}", mb(r.bank_bytes), mb(r.bank_disk));
            if smp.failed.is_some() || smp.times.is_empty() {
                let _ = writeln!(
                    s,
                    "| {} | {size} | {} | failed | - | - | - | - |",
                    r.n,
                    step.name()
                );
                continue;
            }
            let Some(m) = smp.median() else { continue };
            let floor = r.step(Step::Floor);
            let ratio = match smp.ratios_to(floor) {
                Some(r) if *step != Step::Floor => {
                    let (lo, hi) = r.range();
                    format!("{:.2}x ({lo:.2}-{hi:.2})", r.median())
                }
                Some(r) => format!("{:.2}x", r.median()),
                None => "-".into(),
            };
            let cpu = smp.median_cpu().map_or_else(|| "-".into(), fmt_dur);
            let qps = r.n as f64 / m.as_secs_f64();
            let rss = smp
                .peak_rss_kb()
                .map(|k| mb(k * 1024))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                s,
                "| {} | {size} | {} | {} | {cpu} | {ratio} | {qps:.0} | {rss} |",
                r.n,
                step.name(),
                fmt_dur(m)
            );
        }
    }

    // Targets.
    let find = |n: usize| results.iter().find(|r| r.n == n);
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    // One line per ratio target: the median's verdict, and how the
    // repetitions fell around the limit.
    let ratio_target = |s: &mut String,
                        what: &str,
                        n: usize,
                        step: Step,
                        limit: f64,
                        missing: &str| {
        let ratios = find(n).and_then(|r| r.step(step).ratios_to(r.step(Step::Floor)));
        let _ = match ratios {
            Some(r) => {
                let (x, (lo, hi)) = (r.median(), r.range());
                writeln!(
                    s,
                    "- {what} <= {limit}x floor at {n}: {x:.2}x {} (repetitions {lo:.2}x to {hi:.2}x, {} of {} within)",
                    verdict(x <= limit),
                    r.within(limit),
                    r.0.len()
                )
            }
            None => writeln!(s, "- {what} <= {limit}x floor at {n}: {missing}"),
        };
    };
    let _ = writeln!(s, "\nTargets:\n");
    for n in [10_000usize, 100_000] {
        ratio_target(&mut s, "check", n, Step::Check, 1.5, "not measured");
    }
    ratio_target(
        &mut s,
        "build all",
        10_000,
        Step::Build("json,html,anki"),
        3.0,
        "not measured (failed or size not run)",
    );
    let check_time = |n: usize| find(n).and_then(|r| r.step(Step::Check).median());
    match (check_time(10_000), check_time(100_000)) {
        (Some(a), Some(b)) => {
            let x = b.as_secs_f64() / a.as_secs_f64();
            let _ = writeln!(
                s,
                "- check time 100k/10k <= 11: {x:.2} {}",
                verdict(x <= 11.0)
            );
        }
        _ => {
            let _ = writeln!(s, "- check time 100k/10k <= 11: not measured");
        }
    }
    match find(100_000).and_then(|r| {
        r.step(Step::Check)
            .peak_rss_kb()
            .map(|k| (k * 1024, r.bank_bytes))
    }) {
        Some((rss, bank)) => {
            let x = rss as f64 / bank as f64;
            let _ = writeln!(
                s,
                "- check peak RSS at 100k <= 4x bank size: {} / {} = {x:.2}x {}",
                mb(rss),
                mb(bank),
                verdict(x <= 4.0)
            );
        }
        None => {
            let _ = writeln!(s, "- check peak RSS at 100k <= 4x bank size: not measured");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(ms: &[u64]) -> Samples {
        Samples {
            times: ms.iter().map(|&m| Duration::from_millis(m)).collect(),
            ..Samples::default()
        }
    }

    /// A slow repetition slows the floor too: the paired ratio ignores it,
    /// where the ratio of medians would not.
    #[test]
    fn ratios_pair_each_repetition_with_its_floor() {
        let floor = samples(&[100, 300, 100]);
        let step = samples(&[150, 450, 160]);
        let median = |s: &Samples| s.ratios_to(&floor).map(|r| r.median());
        assert_eq!(median(&step), Some(1.5));
        let mut failed = samples(&[150, 450, 160]);
        failed.failed = Some("boom".into());
        assert_eq!(median(&failed), None);
        assert_eq!(median(&samples(&[150])), None);
    }

    #[test]
    fn the_range_is_the_lowest_and_highest_paired_ratio() {
        let floor = samples(&[100, 200, 100, 100]);
        let step = samples(&[150, 260, 400, 125]);
        let ratios = step.ratios_to(&floor).expect("ratios");
        let ((lo, hi), median) = (ratios.range(), ratios.median());
        for (got, want) in [(lo, 1.25), (hi, 4.0), (median, 1.5)] {
            assert!((got - want).abs() < 1e-9, "{got} != {want}");
        }
        assert!(samples(&[]).ratios_to(&samples(&[])).is_none());
    }

    #[test]
    fn cpu_time_is_reported_only_when_every_repetition_has_one() {
        let mut s = samples(&[100, 100, 100]);
        s.cpu = [30, 10, 20].map(Duration::from_millis).to_vec();
        assert_eq!(s.median_cpu(), Some(Duration::from_millis(20)));
        s.cpu.pop();
        assert_eq!(s.median_cpu(), None);
    }

    /// The CPU time of a child that computes for a while is counted, and a
    /// child that only sleeps costs next to none: the reading is the child's,
    /// not this process's.
    #[cfg(unix)]
    #[test]
    fn a_childs_cpu_time_is_measured() {
        let run = |script: &str| {
            let before = cpu_time(false);
            let ok = Command::new("sh")
                .args(["-c", script])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "sh -c {script}");
            cpu_between(before, cpu_time(false)).expect("getrusage")
        };
        let busy = run("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
        let idle = run("sleep 0.3");
        assert!(busy >= Duration::from_millis(50), "busy child: {busy:?}");
        assert!(
            idle < busy / 4,
            "sleeping child: {idle:?}, busy child: {busy:?}"
        );
    }
}
