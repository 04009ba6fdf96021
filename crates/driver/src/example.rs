//! The bundled example: a small C project whose history is created in a temporary directory,
//! with a NULL-pointer dereference introduced midway and a reproducer that crashes only some of
//! the time. `culprit example` bisects it end to end.

use std::path::Path;

use culprit_git::{CreateError, NewRepo};

/// Why the example repository could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    /// A file or directory could not be written.
    #[error("cannot write in {}: {source}", path.display())]
    Write {
        /// Where.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// git could not make the repository or a commit.
    #[error(transparent)]
    Git(#[from] CreateError),
}

/// Commits in the example history.
pub const COMMITS: u32 = 60;
/// The commit (1-based position) that introduces the crash.
pub const CULPRIT: u32 = 37;

fn source(step: u32, buggy: bool) -> String {
    // The parser keeps a table of handlers; the culprit forgets to check a lookup that fails
    // for one input, and the reproducer hits that input about a third of the time.
    format!(
        r#"#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* version {step} */
struct handler {{ const char *name; int (*fn)(int); }};

static int twice(int x) {{ return 2 * x; }}
static int plus_{step}(int x) {{ return x + {step}; }}

static struct handler table[] = {{ {{"twice", twice}}, {{"plus", plus_{step}}} }};

static struct handler *lookup(const char *name) {{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}}

int parse_header(const char *name, int value) {{
    struct handler *h = lookup(name);
{check}    return h->fn(value);
}}

int main(int argc, char **argv) {{
    unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    srand(seed);
    const char *names[] = {{"twice", "plus", "missing"}};
    const char *name = names[rand() % 3];
    printf("%d\n", parse_header(name, 21));
    return 0;
}}
"#,
        check = if buggy {
            ""
        } else {
            "    if (!h)\n        return -1;\n"
        }
    )
}

/// Creates the example repository in `dir` (which must be empty or absent). Returns the bad
/// (newest) and good (oldest) commits.
pub fn create(dir: &Path) -> Result<(String, String), ExampleError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExampleError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let repo = NewRepo::init(dir, "main", "Ada Example", "ada@example.org")?;
    let mut first = None;
    for step in 1..=COMMITS {
        let buggy = step >= CULPRIT;
        std::fs::write(dir.join("parser.c"), source(step, buggy)).map_err(io(dir))?;
        std::fs::write(
            dir.join("Makefile"),
            "parser: parser.c\n\tcc -g -O1 -fsanitize=address -o parser parser.c\n",
        )
        .map_err(io(dir))?;
        std::fs::write(
            dir.join("repro.sh"),
            "#!/bin/sh\n# Runs the parser on a random input; crashes (SIGSEGV) when the bug is there and\n# the input is the unknown header.\nexec ./parser \"$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')\"\n",
        )
        .map_err(io(dir))?;
        let subject = if step == CULPRIT {
            "parser: drop the lookup check, every header is known now".to_string()
        } else {
            format!("parser: handler table, step {step}")
        };
        let date = format!("2024-01-01T00:{:02}:{:02}Z", step / 60, step % 60);
        let msg = format!("{subject}\n\nSigned-off-by: Ada Example <ada@example.org>\n");
        repo.commit_all(&msg, &date)?;
        if step == 1 {
            first = Some(repo.head()?);
        }
    }
    let head = repo.head()?;
    let first = first.unwrap_or(head);
    Ok((head.to_hex(), first.to_hex()))
}
