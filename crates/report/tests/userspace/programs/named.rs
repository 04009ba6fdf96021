fn main() {
    let h = std::thread::Builder::new()
        .name("flusher".into())
        .spawn(|| {
            let v: Option<u8> = None;
            v.expect("flush target missing")
        })
        .unwrap();
    let _ = h.join();
    std::process::exit(101);
}
