fn load_config(text: &str) -> u32 {
    text.trim().parse::<u32>().unwrap()
}

fn main() {
    println!("{}", load_config("12x"));
}
