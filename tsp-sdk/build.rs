//! Compiles `proto/tsp/v1/telephony.proto` for the `rpc` feature with protox, a pure-Rust
//! protobuf compiler: no system `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/tsp/v1/telephony.proto");
    if std::env::var_os("CARGO_FEATURE_RPC").is_none() {
        return Ok(());
    }
    compile()
}

#[cfg(feature = "rpc")]
fn compile() -> Result<(), Box<dyn std::error::Error>> {
    let descriptors = protox::compile(["proto/tsp/v1/telephony.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}

#[cfg(not(feature = "rpc"))]
fn compile() -> Result<(), Box<dyn std::error::Error>> {
    Ok(())
}
