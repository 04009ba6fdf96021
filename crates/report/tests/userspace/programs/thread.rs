use std::thread;

fn worker(id: usize) -> usize {
    if id == 2 {
        panic!("worker {} lost its queue", id);
    }
    id
}

fn main() {
    let h = thread::spawn(|| worker(2));
    let r = h.join();
    std::process::exit(if r.is_err() { 101 } else { 0 });
}
