fn checksum(data: &[u8]) -> u32 {
    data.iter().map(|&b| b as u32).sum()
}

fn main() {
    assert_eq!(checksum(b"abc"), 295, "checksum of {:?}", "abc");
}
