//! Who to tell about a culprit commit, following syzbot's rules (syzbot-bisection.md §9.1): the
//! author plus the addresses in Reviewed/Acked/Tested/Signed-off-by trailers and their
//! `Word-and-reviewed/acked/tested-by` forms. `Cc:`, `Link:`, `Reported-by:` and the like are
//! ignored; `stable@vger.kernel.org` is dropped.

/// The recipients of a culprit report: lowercased, deduplicated, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Main recipients (everybody, for a generic git project).
    pub to: Vec<String>,
    /// Copied recipients (empty unless a maintainers lookup adds some; kept for syzbot's split).
    pub cc: Vec<String>,
}

/// The recipients for a commit with this `message` and author e-mail.
pub fn recipients(message: &str, author_email: &str) -> Recipients {
    let mut to: Vec<String> = Vec::new();
    if let Some(author) = parse_address(author_email).or_else(|| plain(author_email)) {
        to.push(author);
    }
    for line in message.lines() {
        if let Some(value) = trailer_value(line)
            && let Some(address) = parse_address(value)
        {
            to.push(address);
        }
    }
    to.retain(|address| address != "stable@vger.kernel.org");
    to.sort();
    to.dedup();
    Recipients { to, cc: Vec::new() }
}

/// The author e-mail as git stores it has no angle brackets and may not be a valid RFC 5322 address;
/// keep it if it at least has an `@`.
fn plain(email: &str) -> Option<String> {
    let email = email.trim();
    email.contains('@').then(|| email.to_lowercase())
}

/// The value of a line that is one of the counted trailers, else `None`. The kinds, tried in
/// syzbot's order: `Reviewed-…:`, `Word-and-reviewed-…:`, `Acked-…:`, `Word-and-acked-…:`,
/// `Tested-…:`, `Word-and-tested-…:`, `Signed-off-by:`. The letter after `and-` may be either case.
fn trailer_value(line: &str) -> Option<&str> {
    let (key, value) = line.split_once(':')?;
    for kind in ["Reviewed-", "Acked-", "Tested-"] {
        if key.starts_with(kind) {
            return Some(value);
        }
        if let Some((word, rest)) = key.split_once("-and-")
            && !word.is_empty()
            && word.chars().all(|c| c.is_ascii_alphabetic())
            && starts_with_either_case(rest, kind)
        {
            return Some(value);
        }
    }
    (key == "Signed-off-by").then_some(value)
}

/// `text` starts with `word` where only the first letter's case may differ.
fn starts_with_either_case(text: &str, word: &str) -> bool {
    let mut t = text.chars();
    let mut w = word.chars();
    match (t.next(), w.next()) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b) => t.as_str().starts_with(w.as_str()),
        _ => false,
    }
}

/// Parse one RFC 5322 address (`addr@host`, `Name <addr@host>`, `"Quoted, Name" <addr@host>`,
/// `addr@host (comment)`) and return the address part lowercased, or `None` if it does not parse.
///
/// Hand-written: trailers carry a single address and we only need the addr-spec back; the
/// mail-parsing crates bring MIME and charset machinery we have no use for.
pub fn parse_address(text: &str) -> Option<String> {
    let text = strip_comments(text)?;
    let text = text.trim();
    let address = match unquoted_angle(text) {
        Some(open) => {
            let close = text.rfind('>')?;
            if close < open || !text[close + 1..].trim().is_empty() || !valid_phrase(&text[..open])
            {
                return None;
            }
            text[open + 1..close].trim()
        }
        None => text,
    };
    valid_addr_spec(address).then(|| address.to_lowercase())
}

/// Byte offset of the first `<` outside a quoted string.
fn unquoted_angle(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => return Some(at),
            _ => {}
        }
    }
    None
}

/// Remove `(comments)` outside quoted strings (nesting and `\` escapes allowed); `None` when a
/// comment or quote is unbalanced.
fn strip_comments(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted || depth > 0 => {
                let escaped = chars.next()?;
                if depth == 0 {
                    out.push(c);
                    out.push(escaped);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                out.push(' ');
            }
            ')' if !quoted => depth = depth.checked_sub(1)?,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    (depth == 0 && !quoted).then_some(out)
}

/// A display name: words of atext (and `.`, accepted as common obsolete syntax) or quoted strings.
fn valid_phrase(text: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if quoted {
            match c {
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
        } else if !(c.is_whitespace() || c == '.' || is_atext(c)) {
            return false;
        }
    }
    !quoted
}

/// `local@domain`: local part a dot-atom or a quoted string, domain a dot-atom or `[literal]`.
fn valid_addr_spec(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        !local[1..local.len() - 1].contains('"')
    } else {
        dot_atom(local)
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2 && !domain[1..domain.len() - 1].contains(['[', ']', '\\'])
    } else {
        dot_atom(domain)
    };
    local_ok && domain_ok
}

fn dot_atom(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

/// RFC 5322 atext, plus non-ASCII letters (RFC 6532).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~".contains(c)
        || (!c.is_ascii() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // test setup failures should panic with their reason
    use super::*;

    /// The facts of syzbot's TestGitParseCommit: author, two Signed-off-by, Reviewed-by with only
    /// angle brackets, Acked-by with a display name (lowercased), both Reported-and-tested-by
    /// spellings, Tested-by; Cc and Link ignored → 8 recipients.
    #[test]
    fn syzbot_parse_commit_facts() {
        let message = "\
net: fix a thing

Long description.

Signed-off-by: Some Body <some@body.com>
Signed-off-by: Another Person <another@person.org>
Reviewed-by: <yetanother@email.org>
Acked-by: Subsystem reviewer <Subsystem@reviewer.com>
Reported-and-tested-by: and@me.com
Reported-and-Tested-by: Name-name <name@name.com>
Tested-by: Tester One <tester@one.net>
Cc: Not Included <cc@included.org>
Link: https://lore.kernel.org/r/1234@x.y
Reported-by: reporter@example.com
Cc: stable@vger.kernel.org
";
        let got = recipients(message, "foobar@foobar.de");
        assert_eq!(
            got.to,
            [
                "and@me.com",
                "another@person.org",
                "foobar@foobar.de",
                "name@name.com",
                "some@body.com",
                "subsystem@reviewer.com",
                "tester@one.net",
                "yetanother@email.org",
            ]
        );
        assert!(got.cc.is_empty());
    }

    #[test]
    fn dedup_lowercase_stable_and_comments() {
        let message = "\
x

Signed-off-by: Christian Brauner (Microsoft) <brauner@kernel.org>
Acked-by: Michael S. Tsirkin <mst@redhat.com>
Signed-off-by: MIKE <Michael.Christie@oracle.com>
Reviewed-by: stable@vger.kernel.org
Signed-off-by: \"Last, First\" <first.last@example.com>
Tested-by: plain@example.com (Plain Person)
Signed-off-by: broken <no-at-sign>
Signed-off-by: Trailing <junk@example.com> extra
Suggested-by: suggest@example.com
Fixes: 123456789abc (\"something\")
";
        let got = recipients(message, "michael.christie@oracle.com");
        assert_eq!(
            got.to,
            [
                "brauner@kernel.org",
                "first.last@example.com",
                "michael.christie@oracle.com",
                "mst@redhat.com",
                "plain@example.com",
            ]
        );
    }

    #[test]
    fn trailer_kinds() {
        assert_eq!(trailer_value("Reviewed-by: a@b.c"), Some(" a@b.c"));
        assert_eq!(
            trailer_value("Reviewed-and-whatever: a@b.c"),
            Some(" a@b.c")
        );
        assert_eq!(
            trailer_value("Suggested-and-acked-by: a@b.c"),
            Some(" a@b.c")
        );
        assert_eq!(
            trailer_value("Reported-and-Tested-by: a@b.c"),
            Some(" a@b.c")
        );
        assert_eq!(trailer_value("Signed-off-by: a@b.c"), Some(" a@b.c"));
        assert_eq!(trailer_value(" Signed-off-by: a@b.c"), None);
        assert_eq!(trailer_value("signed-off-by: a@b.c"), None);
        assert_eq!(trailer_value("reviewed-by: a@b.c"), None);
        assert_eq!(trailer_value("Cc: a@b.c"), None);
        assert_eq!(trailer_value("Reported-by: a@b.c"), None);
        assert_eq!(trailer_value("Link: https://x/y"), None);
    }

    #[test]
    fn addresses() {
        assert_eq!(parse_address("a@b.c"), Some("a@b.c".into()));
        assert_eq!(parse_address("  Name <A@B.C>  "), Some("a@b.c".into()));
        assert_eq!(parse_address("\"q (x) <y>\" <a@b.c>"), Some("a@b.c".into()));
        assert_eq!(
            parse_address("a@b.c (comment (nested))"),
            Some("a@b.c".into())
        );
        assert_eq!(parse_address("a@[127.0.0.1]"), Some("a@[127.0.0.1]".into()));
        assert_eq!(parse_address("no-at"), None);
        assert_eq!(parse_address("a@b..c"), None);
        assert_eq!(parse_address("Name <a@b.c"), None);
        assert_eq!(parse_address("Name <a@b.c> junk"), None);
        assert_eq!(parse_address("Na,me <a@b.c>"), None);
        assert_eq!(parse_address("a@b.c (unclosed"), None);
        assert_eq!(parse_address(""), None);
    }
}
