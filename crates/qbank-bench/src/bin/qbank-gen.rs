//! `qbank-gen`: write a synthetic question bank.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

/// Write a synthetic bank of N valid questions (about 2 KB each) for benchmarks.
#[derive(Parser)]
#[command(name = "qbank-gen", version)]
struct Args {
    /// Number of questions.
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Seed of the generator; the same seed writes the same bank.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder (bank root).
    #[arg(long)]
    out: PathBuf,
    /// Blueprint to copy into the bank; domains and topics are taken from it.
    #[arg(long, default_value = "content/blueprint.yaml")]
    blueprint: PathBuf,
}

fn main() -> ExitCode {
    let a = Args::parse();
    let t = Instant::now();
    match qbank_bench::generate(a.n, a.seed, &a.out, &a.blueprint) {
        Ok(s) => {
            eprintln!(
                "wrote {} questions ({:.1} MB) to {} in {:.2}s",
                s.questions,
                s.bytes as f64 / 1e6,
                a.out.display(),
                t.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
