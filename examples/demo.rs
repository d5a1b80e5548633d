//! Runs the embedded demo landscape: `cargo run --example demo -- [small|large|N] [seed]`.
//! Prints the environment to use (KUBECONFIG, KCLM_METAL_*) and serves until Ctrl-C.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let scale = args.next().unwrap_or_else(|| "small".into()).parse()?;
    let seed = args.next().map(|s| s.parse()).transpose()?.unwrap_or(42);
    kclm::demo::serve(kclm::demo::DemoOptions {
        scale,
        seed,
        ..Default::default()
    })
    .await?;
    Ok(())
}
