fn parse_header(buf: &[u8], at: usize) -> u8 {
    buf[at]
}

fn main() {
    let n = std::env::args().count() + 4;
    println!("header byte: {}", parse_header(&[1, 2, 3], n));
}
