fn depth(n: u64) -> u64 {
    let pad = [n; 64];
    if n == u64::MAX { return pad[3]; }
    depth(n + 1) + pad[n as usize % 64]
}

fn main() {
    println!("{}", depth(0));
}
