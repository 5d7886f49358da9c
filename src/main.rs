use clap::Parser;

#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    csqa::load::engine_defaults();
    csqa::load::quiet_contained_panics();
    let cli = csqa::cli::Cli::parse();
    if let Err(e) = csqa::cli::run(cli) {
        eprintln!("csqa: {e}");
        std::process::exit(e.exit_code());
    }
}
