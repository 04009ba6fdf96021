//! Durations printed the way Go prints them (`5h4m7.979189629s`), as in syzbot's logs.

/// Formats `secs` like Go's `time.Duration.String()` (nanosecond precision, trailing zeros of
/// the seconds trimmed).
pub fn go(secs: f64) -> String {
    let total_ns = (secs.max(0.0) * 1e9).round() as u128;
    if total_ns == 0 {
        return "0s".into();
    }
    if total_ns < 1_000_000_000 {
        // Go switches to ms/µs/ns below one second.
        return if total_ns < 1_000 {
            format!("{total_ns}ns")
        } else if total_ns < 1_000_000 {
            format!("{}µs", trim(total_ns as f64 / 1e3))
        } else {
            format!("{}ms", trim(total_ns as f64 / 1e6))
        };
    }
    let h = total_ns / 3_600_000_000_000;
    let m = (total_ns / 60_000_000_000) % 60;
    let s_ns = total_ns % 60_000_000_000;
    let s = format!("{}.{:09}", s_ns / 1_000_000_000, s_ns % 1_000_000_000);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::go;

    #[test]
    fn like_go() {
        assert_eq!(go(18247.979189629), "5h4m7.979189629s");
        assert_eq!(go(9612.006836546), "2h40m12.006836546s");
        assert_eq!(go(61.5), "1m1.5s");
        assert_eq!(go(3600.0), "1h0m0s");
        assert_eq!(go(2.0), "2s");
        assert_eq!(go(0.0), "0s");
        assert_eq!(go(0.25), "250ms");
    }
}
