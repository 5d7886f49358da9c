use clap::Parser;

fn main() {
    let cli = csqa::cli::Cli::parse();
    if let Err(e) = csqa::cli::run(cli) {
        eprintln!("csqa: {e}");
        std::process::exit(e.exit_code());
    }
}
