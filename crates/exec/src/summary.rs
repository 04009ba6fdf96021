//! A few lines that say why a command failed, for the bisection log.

/// The first `max` lines of `output` that look like errors (`error`, `fatal`, `undefined
/// reference`, in any case), trimmed; when none does, the last `max` non-blank lines.
pub fn error_lines(output: &[u8], max: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(output);
    let looks_like_error = |line: &str| {
        let lower = line.to_ascii_lowercase();
        ["error", "fatal", "undefined reference"]
            .iter()
            .any(|word| lower.contains(word))
    };
    let errors: Vec<String> = text
        .lines()
        .map(str::trim_end)
        .filter(|line| looks_like_error(line))
        .take(max)
        .map(str::to_string)
        .collect();
    if !errors.is_empty() {
        return errors;
    }
    let mut last: Vec<String> = text
        .lines()
        .rev()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty())
        .take(max)
        .map(str::to_string)
        .collect();
    last.reverse();
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_errors_come_first() {
        let log = b"cc -c a.c\nsrc/main.c:3:1: error: expected ';' before '}' token\n    3 | }\nsrc/main.c:9:2: Error: second\nmake: *** [Makefile:2: all] Error 1\n";
        assert_eq!(
            error_lines(log, 2),
            [
                "src/main.c:3:1: error: expected ';' before '}' token",
                "src/main.c:9:2: Error: second"
            ]
        );
    }

    #[test]
    fn without_errors_the_last_lines() {
        let log = b"one\ntwo\n\nthree  \n\n";
        assert_eq!(error_lines(log, 2), ["two", "three"]);
        assert!(error_lines(b"", 3).is_empty());
    }
}
