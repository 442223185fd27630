//! Synthetic question banks for benchmarks.
//!
//! [`generate`] writes a bank (`qbank.toml`, a copy of a blueprint and N
//! question files of about 2 KB) that `qbank check` accepts without errors.
//! Output is a pure function of `(n, seed, blueprint)`: the generator uses its
//! own splitmix64 PRNG, seeded per question.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// splitmix64: small, fast and good enough for synthetic text.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick<'a, T: ?Sized>(&mut self, xs: &[&'a T]) -> &'a T {
        xs[self.below(xs.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

// Vocabulary. Words that lint rules react to (negations, absolute words,
// "all of the above", legacy registry terms) are deliberately absent.

const NOUNS: &[&str] = &[
    "model",
    "pipeline",
    "endpoint",
    "table",
    "feature",
    "metric",
    "artifact",
    "run",
    "experiment",
    "cluster",
    "notebook",
    "job",
    "task",
    "schedule",
    "alias",
    "version",
    "catalog",
    "schema",
    "volume",
    "warehouse",
    "dashboard",
    "alert",
    "monitor",
    "baseline",
    "slice",
    "window",
    "threshold",
    "sample",
    "label",
    "prediction",
    "score",
    "batch",
    "stream",
    "checkpoint",
    "trigger",
    "webhook",
    "bundle",
    "target",
    "workspace",
    "principal",
    "group",
    "permission",
    "grant",
    "secret",
    "token",
    "request",
    "payload",
    "response",
    "latency",
    "throughput",
    "replica",
    "instance",
    "container",
    "image",
    "library",
    "wheel",
    "dependency",
    "environment",
    "signature",
    "example",
    "parameter",
    "hyperparameter",
    "trial",
    "study",
    "search",
    "objective",
    "budget",
    "estimator",
    "transformer",
    "encoder",
    "embedding",
    "vector",
    "index",
    "partition",
    "column",
    "row",
    "record",
    "snapshot",
    "commit",
    "branch",
    "release",
    "rollout",
    "canary",
    "cohort",
    "segment",
    "region",
    "zone",
    "driver",
    "executor",
    "worker",
    "core",
    "memory",
    "disk",
    "cache",
    "queue",
    "topic",
    "offset",
    "watermark",
    "join",
    "lookup",
    "key",
    "timestamp",
    "horizon",
    "forecast",
    "classifier",
    "regressor",
    "ranker",
    "recommender",
    "detector",
    "scorer",
    "validator",
    "reviewer",
    "approver",
    "owner",
    "analyst",
    "engineer",
    "scientist",
    "auditor",
    "tenant",
    "customer",
    "merchant",
    "supplier",
    "invoice",
    "claim",
    "policy",
    "ledger",
    "account",
    "transaction",
    "session",
    "click",
    "impression",
    "campaign",
    "inventory",
    "shipment",
    "sensor",
    "device",
    "meter",
    "reading",
    "anomaly",
    "outlier",
    "drift",
    "bias",
    "variance",
    "residual",
    "gradient",
    "epoch",
    "optimizer",
    "scheduler",
    "tokenizer",
    "prompt",
    "chain",
    "agent",
    "retriever",
    "corpus",
    "document",
    "chunk",
    "summary",
    "report",
    "audit",
    "lineage",
    "tag",
    "comment",
    "description",
    "owner",
    "quota",
    "cost",
    "invoice",
    "spend",
    "credit",
    "budget",
    "forecast",
    "histogram",
    "quantile",
    "percentile",
    "median",
    "distribution",
    "divergence",
    "statistic",
    "test",
    "fixture",
    "mock",
    "stub",
    "assertion",
    "coverage",
    "integration",
    "deployment",
    "approval",
    "gate",
    "promotion",
    "rollback",
    "champion",
    "challenger",
    "shadow",
    "traffic",
    "route",
    "gateway",
    "proxy",
    "firewall",
    "network",
    "subnet",
    "bucket",
    "folder",
    "file",
    "manifest",
    "config",
    "template",
    "variable",
    "override",
    "profile",
    "benchmark",
    "leaderboard",
    "registry",
    "server",
    "client",
    "handler",
    "callback",
    "wrapper",
    "adapter",
    "loader",
    "writer",
    "reader",
    "parser",
    "formatter",
    "serializer",
];

const ADJECTIVES: &[&str] = &[
    "nightly",
    "hourly",
    "weekly",
    "daily",
    "stale",
    "fresh",
    "shared",
    "private",
    "public",
    "remote",
    "local",
    "managed",
    "external",
    "internal",
    "nested",
    "parent",
    "child",
    "primary",
    "secondary",
    "regional",
    "global",
    "serverless",
    "dedicated",
    "provisioned",
    "autoscaled",
    "idle",
    "busy",
    "slow",
    "fast",
    "large",
    "small",
    "wide",
    "narrow",
    "sparse",
    "dense",
    "noisy",
    "clean",
    "labelled",
    "unlabelled",
    "skewed",
    "balanced",
    "seasonal",
    "holiday",
    "streaming",
    "incremental",
    "historical",
    "archived",
    "current",
    "previous",
    "upcoming",
    "tentative",
    "approved",
    "rejected",
    "pending",
    "failed",
    "successful",
    "partial",
    "complete",
    "cached",
    "pinned",
    "floating",
    "mutable",
    "immutable",
    "versioned",
    "tagged",
    "signed",
    "encrypted",
    "compressed",
    "quantized",
    "distilled",
    "pretrained",
    "finetuned",
    "calibrated",
    "ensemble",
    "baseline",
    "candidate",
    "experimental",
    "production",
    "staging",
    "development",
    "sandbox",
    "certified",
    "audited",
    "regulated",
    "sensitive",
    "anonymised",
    "masked",
    "joined",
    "filtered",
    "aggregated",
    "windowed",
    "bucketed",
    "partitioned",
    "clustered",
    "sorted",
    "deduplicated",
    "enriched",
    "normalised",
    "scaled",
    "encoded",
    "imputed",
    "sampled",
    "weighted",
    "stratified",
    "randomised",
    "deterministic",
    "reproducible",
    "portable",
    "lightweight",
    "heavy",
    "expensive",
    "cheap",
    "elastic",
    "bursty",
    "steady",
    "spiky",
    "quarterly",
    "monthly",
    "midnight",
    "morning",
    "evening",
    "overnight",
    "weekend",
    "northern",
    "southern",
    "eastern",
    "western",
    "coastal",
    "urban",
    "rural",
    "mobile",
    "desktop",
    "retail",
    "wholesale",
    "medical",
    "financial",
    "logistics",
    "marketing",
];

const VERBS: &[&str] = &[
    "loads",
    "logs",
    "registers",
    "scores",
    "trains",
    "tunes",
    "evaluates",
    "compares",
    "promotes",
    "deploys",
    "serves",
    "queries",
    "monitors",
    "profiles",
    "slices",
    "alerts",
    "retrains",
    "refreshes",
    "publishes",
    "subscribes",
    "reads",
    "writes",
    "merges",
    "appends",
    "overwrites",
    "partitions",
    "caches",
    "persists",
    "broadcasts",
    "shuffles",
    "joins",
    "filters",
    "aggregates",
    "samples",
    "splits",
    "validates",
    "tests",
    "packages",
    "builds",
    "ships",
    "schedules",
    "triggers",
    "notifies",
    "approves",
    "rejects",
    "tags",
    "labels",
    "annotates",
    "exports",
    "imports",
    "copies",
    "mirrors",
    "replicates",
    "archives",
    "restores",
    "resolves",
    "pins",
    "unpins",
    "wraps",
    "unwraps",
    "encodes",
    "decodes",
    "tokenizes",
    "embeds",
    "retrieves",
    "ranks",
    "forecasts",
    "predicts",
    "classifies",
    "detects",
    "flags",
    "tracks",
    "records",
    "reports",
    "summarises",
    "computes",
    "estimates",
    "calibrates",
    "normalises",
    "scales",
    "imputes",
    "clips",
    "rounds",
    "batches",
    "streams",
    "routes",
    "splits",
    "throttles",
    "retries",
    "fails",
    "recovers",
    "restarts",
    "upgrades",
    "downgrades",
    "migrates",
    "audits",
    "grants",
    "revokes",
    "rotates",
    "signs",
    "verifies",
    "hashes",
    "compresses",
    "benchmarks",
];

const IMPERATIVES: &[&str] = &[
    "Load",
    "Log",
    "Register",
    "Score",
    "Train",
    "Tune",
    "Evaluate",
    "Compare",
    "Promote",
    "Deploy",
    "Serve",
    "Query",
    "Monitor",
    "Profile",
    "Slice",
    "Retrain",
    "Refresh",
    "Publish",
    "Read",
    "Write",
    "Merge",
    "Append",
    "Overwrite",
    "Partition",
    "Cache",
    "Persist",
    "Broadcast",
    "Join",
    "Filter",
    "Aggregate",
    "Sample",
    "Split",
    "Validate",
    "Test",
    "Package",
    "Build",
    "Schedule",
    "Trigger",
    "Notify",
    "Approve",
    "Tag",
    "Label",
    "Annotate",
    "Export",
    "Import",
    "Copy",
    "Mirror",
    "Replicate",
    "Archive",
    "Restore",
    "Resolve",
    "Pin",
    "Wrap",
    "Encode",
    "Tokenize",
    "Embed",
    "Retrieve",
    "Rank",
    "Forecast",
    "Classify",
    "Track",
    "Record",
    "Summarise",
    "Compute",
    "Estimate",
    "Calibrate",
    "Normalise",
    "Scale",
    "Impute",
    "Clip",
    "Route",
    "Throttle",
    "Retry",
    "Restart",
    "Upgrade",
    "Migrate",
    "Audit",
    "Grant",
    "Rotate",
    "Sign",
    "Verify",
    "Hash",
    "Compress",
    "Move",
    "Set",
    "Point",
    "Attach",
    "Detach",
    "Enable",
    "Configure",
    "Rename",
    "Split",
];

const ADVERBS: &[&str] = &[
    "first",
    "afterwards",
    "later",
    "once",
    "twice",
    "again",
    "quickly",
    "slowly",
    "manually",
    "automatically",
    "explicitly",
    "implicitly",
    "locally",
    "remotely",
    "incrementally",
    "eagerly",
    "lazily",
    "safely",
    "directly",
    "indirectly",
    "together",
    "separately",
    "upstream",
    "downstream",
    "nightly",
    "hourly",
    "beforehand",
    "inline",
];

const PREPOSITIONS: &[&str] = &[
    "from",
    "into",
    "for",
    "with",
    "after",
    "before",
    "during",
    "through",
    "behind",
    "across",
    "over",
    "under",
    "beside",
    "within",
    "via",
    "around",
    "towards",
    "alongside",
];

const DETERMINERS: &[&str] = &["the", "a", "each", "every", "one", "that", "this", "its"];

const TEAMS: &[&str] = &[
    "A team",
    "A data scientist",
    "An ML engineer",
    "A platform group",
    "An analyst",
    "A retail company",
    "A bank",
    "An insurer",
    "A logistics firm",
    "A hospital",
    "A streaming service",
    "A startup",
    "A research lab",
    "A marketplace",
    "A telecom operator",
];

const QUESTION_OPENERS: &[&str] = &[
    "Which change",
    "Which step",
    "What should the team do",
    "Which approach",
    "Which configuration",
    "Which call",
    "What is the best way",
    "Which option",
    "Which action",
    "Which setting",
    "Which fix",
    "What explains",
    "Which design",
];

const MODULES: &[&str] = &[
    "mlflow", "spark", "fe", "client", "w", "optuna", "ray", "pd", "np", "sklearn", "dbutils",
    "monitor", "bundle", "serving", "registry", "tracker",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "de", "po", "ga", "li", "mo", "ze", "ru", "ta",
    "fi", "no", "be", "xa", "qui", "dor", "ven", "mar", "sol", "tin", "kel", "bra", "cor", "lum",
    "pex", "zor", "nal", "vel", "tor", "gim", "hap", "jun", "wes",
];

const REFERENCES: &[&str] = &[
    "https://docs.databricks.com/aws/en/machine-learning/",
    "https://docs.databricks.com/aws/en/mlflow/",
    "https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/",
    "https://docs.databricks.com/aws/en/machine-learning/model-serving/",
    "https://docs.databricks.com/aws/en/machine-learning/feature-store/",
    "https://docs.databricks.com/aws/en/lakehouse-monitoring/",
    "https://docs.databricks.com/aws/en/dev-tools/bundles/",
    "https://mlflow.org/docs/latest/ml/model/signatures/",
    "https://mlflow.org/docs/latest/ml/tracking/",
    "https://optuna.readthedocs.io/en/stable/",
];

/// A pronounceable made-up word, for identifiers (gives an open vocabulary).
fn made_up(r: &mut Rng) -> String {
    let n = r.range(2, 3);
    (0..n).map(|_| r.pick(SYLLABLES)).collect()
}

fn ident(r: &mut Rng) -> String {
    match r.below(4) {
        0 => format!("{}_{}", r.pick(NOUNS), made_up(r)),
        1 => format!("{}_{}", r.pick(ADJECTIVES), r.pick(NOUNS)),
        2 => made_up(r),
        _ => format!("{}_{}", made_up(r), r.pick(NOUNS)),
    }
}

fn three_level(r: &mut Rng) -> String {
    format!("{}.{}.{}", made_up(r), r.pick(NOUNS), ident(r))
}

fn noun_phrase(r: &mut Rng) -> String {
    let det = r.pick(DETERMINERS);
    let rest = match r.below(4) {
        0 => format!("{} {}", r.pick(ADJECTIVES), r.pick(NOUNS)),
        1 => format!("{} {}", r.pick(NOUNS), r.pick(NOUNS)),
        2 => format!("`{}` {}", ident(r), r.pick(NOUNS)),
        _ => format!("{} {} {}", r.pick(ADJECTIVES), r.pick(NOUNS), r.pick(NOUNS)),
    };
    let vowel = rest
        .trim_start_matches('`')
        .starts_with(['a', 'e', 'i', 'o', 'u']);
    let det = if det == "a" && vowel { "an" } else { det };
    format!("{det} {rest}")
}

fn clause(r: &mut Rng) -> String {
    let mut s = format!("{} {} {}", noun_phrase(r), r.pick(VERBS), noun_phrase(r));
    if r.chance(70) {
        let _ = write!(s, " {} {}", r.pick(PREPOSITIONS), noun_phrase(r));
    }
    if r.chance(30) {
        let _ = write!(s, " {}", r.pick(ADVERBS));
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A declarative sentence with a full stop.
fn sentence(r: &mut Rng) -> String {
    let body = match r.below(5) {
        0 => clause(r),
        1 => format!("{}, and {}", clause(r), clause(r)),
        2 => format!(
            "{} {} `{}`",
            r.pick(TEAMS).to_lowercase(),
            r.pick(VERBS),
            three_level(r)
        ),
        3 => format!("{} while {}", clause(r), clause(r)),
        _ => format!("{} so that {}", clause(r), clause(r)),
    };
    format!("{}.", capitalise(&body))
}

/// An option: an imperative, `words` long roughly.
fn option_text(r: &mut Rng) -> String {
    let mut s = format!("{} {}", r.pick(IMPERATIVES), noun_phrase(r));
    let extra = r.range(0, 2);
    for _ in 0..extra {
        let _ = write!(s, " {} {}", r.pick(PREPOSITIONS), noun_phrase(r));
    }
    if r.chance(40) {
        let _ = write!(s, " {}", r.pick(ADVERBS));
    }
    s.push('.');
    s
}

fn question_sentence(r: &mut Rng) -> String {
    format!(
        "{} {} {} {} {}?",
        r.pick(QUESTION_OPENERS),
        r.pick(VERBS),
        noun_phrase(r),
        r.pick(PREPOSITIONS),
        noun_phrase(r)
    )
}

fn code_block(r: &mut Rng, out: &mut String) {
    out.push_str("```python\n");
    let lines = r.range(3, 6);
    let mut indent = 0usize;
    for i in 0..lines {
        let pad = "    ".repeat(indent);
        match r.below(5) {
            0 if i + 1 < lines && indent < 2 => {
                let _ = writeln!(
                    out,
                    "{pad}with {}.{}({}=\"{}\"):",
                    r.pick(MODULES),
                    ident(r),
                    ident(r),
                    three_level(r)
                );
                indent += 1;
            }
            1 => {
                let _ = writeln!(
                    out,
                    "{pad}{} = {}.{}(\"{}\", {}={})",
                    ident(r),
                    r.pick(MODULES),
                    ident(r),
                    three_level(r),
                    ident(r),
                    r.range(1, 999)
                );
            }
            2 => {
                let _ = writeln!(
                    out,
                    "{pad}{}.{}({}, {}=\"{}\")",
                    r.pick(MODULES),
                    ident(r),
                    ident(r),
                    ident(r),
                    made_up(r)
                );
            }
            3 => {
                let _ = writeln!(
                    out,
                    "{pad}{} = {}.{}({}).{}()",
                    ident(r),
                    ident(r),
                    ident(r),
                    ident(r),
                    ident(r)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{pad}{}.{}(\"{}\", {})",
                    r.pick(MODULES),
                    ident(r),
                    ident(r),
                    r.range(1, 99)
                );
            }
        }
    }
    out.push_str("```\n");
}

/// Wrap words at `width` columns, each line prefixed with `prefix`.
fn wrap(text: &str, width: usize, prefix: &str, out: &mut String) {
    let mut col = 0usize;
    for w in text.split_whitespace() {
        if col == 0 {
            out.push_str(prefix);
            out.push_str(w);
            col = prefix.len() + w.len();
        } else if col + 1 + w.len() > width {
            out.push('\n');
            out.push_str(prefix);
            out.push_str(w);
            col = prefix.len() + w.len();
        } else {
            out.push(' ');
            out.push_str(w);
            col += 1 + w.len();
        }
    }
    out.push('\n');
}

/// A blueprint domain and its topic ids.
#[derive(Debug, Clone)]
pub struct Domain {
    pub id: String,
    pub weight: f64,
    pub topics: Vec<String>,
}

/// Domains and topics of a blueprint file (YAML).
pub fn read_blueprint(text: &str) -> Result<Vec<Domain>, String> {
    use yaml_rust2::YamlLoader;
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let doc = docs.first().ok_or("empty blueprint")?;
    let domains = doc["domains"]
        .as_vec()
        .ok_or("blueprint has no `domains` list")?;
    let mut out = Vec::new();
    for d in domains {
        let id = d["id"].as_str().ok_or("domain without id")?.to_string();
        let weight = d["weight"]
            .as_f64()
            .or_else(|| d["weight"].as_i64().map(|w| w as f64))
            .unwrap_or(1.0);
        let topics: Vec<String> = d["topics"]
            .as_vec()
            .map(|ts| {
                ts.iter()
                    .filter_map(|t| t["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if topics.is_empty() {
            return Err(format!("domain `{id}` has no topics"));
        }
        out.push(Domain { id, weight, topics });
    }
    if out.is_empty() {
        return Err("blueprint has no domains".into());
    }
    Ok(out)
}

/// The `legacy_terms` patterns of a blueprint that compile, as one set.
pub fn legacy_terms(text: &str) -> Option<regex::RegexSet> {
    use yaml_rust2::YamlLoader;
    let docs = YamlLoader::load_from_str(text).ok()?;
    let terms = docs.first()?["legacy_terms"].as_vec()?.clone();
    let patterns: Vec<&str> = terms
        .iter()
        .filter_map(|t| t["pattern"].as_str())
        .filter(|p| regex::Regex::new(p).is_ok())
        .collect();
    if patterns.is_empty() {
        return None;
    }
    regex::RegexSet::new(patterns).ok()
}

/// Questions per domain for `n`, by weight (largest remainder).
pub fn allocate(domains: &[Domain], n: usize) -> Vec<usize> {
    let total: f64 = domains.iter().map(|d| d.weight).sum();
    let exact: Vec<f64> = domains
        .iter()
        .map(|d| n as f64 * d.weight / total)
        .collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut rest: Vec<usize> = (0..domains.len()).collect();
    rest.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut left = n - counts.iter().sum::<usize>();
    for i in rest {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

/// One generated question file.
pub struct Generated {
    /// Path relative to the content folder.
    pub rel_path: PathBuf,
    pub text: String,
}

/// Question `index` of a bank. `key` is the 0-based key position.
///
/// Text that matches `avoid` (the blueprint's legacy-term patterns) is drawn
/// again, so the bank has no QB301 findings whatever terms the blueprint lists.
pub fn question(
    seed: u64,
    index: usize,
    domain: &str,
    topic: &str,
    key: usize,
    avoid: Option<&regex::RegexSet>,
) -> Generated {
    let mut g = question_attempt(seed, index, 0, domain, topic, key);
    if let Some(set) = avoid {
        let mut attempt = 1;
        while set.is_match(&g.text) && attempt < 1000 {
            g = question_attempt(seed, index, attempt, domain, topic, key);
            attempt += 1;
        }
    }
    g
}

fn question_attempt(
    seed: u64,
    index: usize,
    attempt: u64,
    domain: &str,
    topic: &str,
    key: usize,
) -> Generated {
    let mut r = Rng::new(
        seed ^ (index as u64).wrapping_mul(0xd6e8_feb8_6659_fd93)
            ^ attempt.wrapping_mul(0xa076_1d64_78bd_642f),
    );
    r.next_u64();
    let id = format!(
        "{}-{}-{}-{index}",
        r.pick(ADJECTIVES),
        r.pick(NOUNS),
        r.pick(NOUNS)
    );
    let mut t = String::with_capacity(2600);
    t.push_str("---\n");
    let _ = writeln!(t, "id: {id}");
    let _ = writeln!(t, "domain: {domain}");
    let _ = writeln!(t, "topics: [{topic}]");
    let _ = writeln!(t, "difficulty: {}", r.pick(&["easy", "medium", "hard"]));
    t.push_str("status: published\nreferences:\n");
    let refs = r.range(1, 2);
    let first = r.below(REFERENCES.len());
    for k in 0..refs {
        let _ = writeln!(t, "  - {}", REFERENCES[(first + k) % REFERENCES.len()]);
    }
    t.push_str("---\n\n");

    // Stem: scenario, code, more scenario, question.
    let mut scenario = format!(
        "{} {} `{}` {} {}.",
        r.pick(TEAMS),
        r.pick(VERBS),
        three_level(&mut r),
        r.pick(PREPOSITIONS),
        noun_phrase(&mut r)
    );
    for _ in 0..r.range(1, 2) {
        scenario.push(' ');
        scenario.push_str(&sentence(&mut r));
    }
    wrap(&scenario, 80, "", &mut t);
    t.push('\n');
    code_block(&mut r, &mut t);
    t.push('\n');
    let mut ask = String::new();
    for _ in 0..r.range(0, 1) {
        ask.push_str(&sentence(&mut r));
        ask.push(' ');
    }
    ask.push_str(&question_sentence(&mut r));
    wrap(&ask, 80, "", &mut t);
    t.push('\n');

    // Options: the key is never the longest one.
    let mut texts: Vec<String> = Vec::with_capacity(4);
    while texts.len() < 4 {
        let o = option_text(&mut r);
        if !texts.contains(&o) {
            texts.push(o);
        }
    }
    let longest = (0..4).max_by_key(|&i| texts[i].len()).unwrap_or(0);
    let mut key_text_at = r.below(3);
    if key_text_at >= longest {
        key_text_at += 1;
    }
    let key_text = texts.remove(key_text_at);
    texts.insert(key, key_text);
    for (i, o) in texts.iter().enumerate() {
        let mark = if i == key { "x" } else { " " };
        let _ = writeln!(t, "- [{mark}] {o}");
        let mut why = String::new();
        for _ in 0..1 + usize::from(r.chance(25)) {
            why.push_str(&sentence(&mut r));
            why.push(' ');
        }
        wrap(&why, 88, "  > ", &mut t);
    }

    t.push_str("\n## Explanation\n\n");
    let mut expl = String::new();
    for _ in 0..r.range(2, 3) {
        expl.push_str(&sentence(&mut r));
        expl.push(' ');
    }
    wrap(&expl, 80, "", &mut t);

    let rel_path = PathBuf::from(domain).join(topic).join(format!("{id}.md"));
    Generated { rel_path, text: t }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenStats {
    pub questions: usize,
    pub bytes: u64,
}

/// Write a bank of `n` questions into `out` (created if missing).
pub fn generate(n: usize, seed: u64, out: &Path, blueprint: &Path) -> io::Result<GenStats> {
    let bp_text = fs::read_to_string(blueprint)?;
    let domains = read_blueprint(&bp_text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", blueprint.display()),
        )
    })?;
    fs::create_dir_all(out)?;
    fs::write(
        out.join("qbank.toml"),
        "# Synthetic bank written by qbank-gen.\ncontent_dir = \"questions\"\nblueprint = \"blueprint.yaml\"\n\n[lint.rules]\n",
    )?;
    fs::write(out.join("blueprint.yaml"), &bp_text)?;
    let avoid = legacy_terms(&bp_text);
    let content = out.join("questions");
    for d in &domains {
        for t in &d.topics {
            fs::create_dir_all(content.join(&d.id).join(t))?;
        }
    }

    // Domain of each index by weight, topics round-robin within a domain,
    // order shuffled; keys balanced in blocks of four.
    let counts = allocate(&domains, n);
    let mut slots: Vec<(usize, usize)> = Vec::with_capacity(n);
    for (di, &c) in counts.iter().enumerate() {
        let nt = domains[di].topics.len();
        slots.extend((0..c).map(|k| (di, k % nt)));
    }
    let mut r = Rng::new(seed);
    r.shuffle(&mut slots);
    let mut keys: Vec<usize> = Vec::with_capacity(n + 4);
    while keys.len() < n {
        let mut block = [0usize, 1, 2, 3];
        r.shuffle(&mut block);
        keys.extend_from_slice(&block);
    }

    let mut stats = GenStats::default();
    for (i, &(di, ti)) in slots.iter().enumerate() {
        let d = &domains[di];
        let g = question(seed, i, &d.id, &d.topics[ti], keys[i], avoid.as_ref());
        let mut f = io::BufWriter::new(fs::File::create(content.join(&g.rel_path))?);
        f.write_all(g.text.as_bytes())?;
        f.flush()?;
        stats.questions += 1;
        stats.bytes += g.text.len() as u64;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = question(7, 3, "mlops", "ml-testing", 2, None);
        let b = question(7, 3, "mlops", "ml-testing", 2, None);
        assert_eq!(a.text, b.text);
        assert!(a.text.contains("- [x]"));
        assert!(
            a.text.len() > 1200 && a.text.len() < 4000,
            "{}",
            a.text.len()
        );
    }

    #[test]
    fn allocation_sums_to_n() {
        let d = |w| Domain {
            id: "d".into(),
            weight: w,
            topics: vec!["t".into()],
        };
        let c = allocate(&[d(44.0), d(44.0), d(12.0)], 59);
        assert_eq!(c, vec![26, 26, 7]);
    }
}
