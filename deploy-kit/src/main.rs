//! `myorgs-deploy-kit [--dist DIR]`: after `trunk build`, writes precompressed
//! copies and host configuration into the built app. See
//! `myorgs_deploy_kit` and docs/deploy.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Writes NAME.br and NAME.gz next to the text and wasm files of the built
/// app, and _headers, _redirects and staticwebapp.config.json with the
/// Content-Security-Policy myorgs-server computes from index.html.
#[derive(Parser)]
#[command(name = "myorgs-deploy-kit", version)]
struct Args {
    /// The Trunk-built app: the folder holding index.html.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    dist: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match myorgs_deploy_kit::run(&args.dist) {
        Ok(summary) => {
            let dist = args.dist.display();
            for change in &summary.changes {
                println!("{dist}: {change}");
            }
            for warning in &summary.warnings {
                eprintln!("warning: {warning}");
            }
            println!("deploy kit: {summary} in {dist}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
