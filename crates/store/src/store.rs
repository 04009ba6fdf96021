//! [`Store`]: the state directory opened, locked, and its database read and written.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::lock::{self, StateLock};
use crate::records::{Build, BuildId, Event, Run, RunId};

/// Version 2: the event log holds the caller's typed records (version 1's hand-made JSON shapes
/// are not read back).
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS params (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS builds (
    id INTEGER PRIMARY KEY,
    commit_id TEXT NOT NULL,
    tree_id TEXT NOT NULL,
    build_key TEXT NOT NULL,
    ok INTEGER NOT NULL,
    artifact_hash TEXT,
    secs REAL NOT NULL,
    error_lines TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS builds_by_tree ON builds (tree_id, build_key);
CREATE INDEX IF NOT EXISTS builds_by_artifact ON builds (artifact_hash);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    probe_id INTEGER NOT NULL,
    commit_id TEXT NOT NULL,
    build_id INTEGER REFERENCES builds (id),
    run_index INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    secs REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_build ON runs (build_id);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
";

/// Errors of [`Store`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The state directory could not be created.
    #[error("cannot create state directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// Locking failed, or another process holds the lock.
    #[error(transparent)]
    Lock(#[from] lock::Error),
    /// The database could not be opened or set up.
    #[error("cannot open state database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The file system of the state directory is full: nothing recorded before is lost.
    #[error(
        "no space left on device for the state in {path}: free some space, then run again with --resume (what was recorded is kept)"
    )]
    Full {
        /// The database file.
        path: PathBuf,
    },
    /// A record could not be written (read-only file system, ...).
    #[error("cannot write state to {path}: {source}")]
    Write {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// Records could not be read.
    #[error("cannot read state from {path}: {source}")]
    Read {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A stored record does not decode.
    #[error("corrupt record in {path}: {message}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A record could not be encoded as JSON.
    #[error("cannot encode a record for {path}: {message}")]
    Encode {
        /// The database file.
        path: PathBuf,
        /// What serde said.
        message: String,
    },
    /// The directory holds state of a bisection with other parameters.
    #[error(
        "state from another bisection in {path}: its parameters differ (stored fingerprint {stored}, given {given}); use another state directory or remove this one"
    )]
    OtherBisection {
        /// The state directory.
        path: PathBuf,
        /// Fingerprint of the stored parameters.
        stored: String,
        /// Fingerprint of the parameters given now.
        given: String,
    },
    /// The database was written by a culprit with another schema.
    #[error(
        "state database {path} has schema version {found}: it was written by another version of culprit (this one reads version {SCHEMA_VERSION}); remove that directory to start again, or finish the bisection with the culprit that began it"
    )]
    Schema {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: String,
    },
}

/// Whether [`Store::begin`] started a new bisection or found the same one to resume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Begin {
    /// No parameters were stored: these are now.
    Fresh,
    /// The same parameters were stored: resume.
    Resumed,
}

/// An open, locked state directory. Safe to share between threads (calls are serialised).
pub struct Store {
    conn: Mutex<Connection>,
    dir: PathBuf,
    db_path: PathBuf,
    lock: StateLock,
}

impl Store {
    /// Open (creating if needed) the state directory `dir`: take its lock, open `state.db` in WAL
    /// mode with full sync, create or check the schema.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let lock = StateLock::acquire(dir)?;
        let db_path = dir.join("state.db");
        let open_error = |source| Error::Open {
            path: db_path.clone(),
            source,
        };
        let conn = Connection::open(&db_path).map_err(open_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_error)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_error(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode is {mode}, WAL is required"
            ))));
        }
        // NORMAL (with WAL): a committed record survives the process being killed (Ctrl-C,
        // kill -9), which is what resuming needs; after a power loss the last records may be
        // gone (their runs are redone) but the file stays consistent. FULL would fsync every
        // record: 10-16 ms a step on this machine.
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(open_error)?;
        conn.execute_batch(SCHEMA).map_err(open_error)?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(open_error)?;
        match found {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )
                .map_err(open_error)?;
            }
            Some(found) if found == SCHEMA_VERSION.to_string() => {}
            Some(found) => {
                return Err(Error::Schema {
                    path: db_path,
                    found,
                });
            }
        }
        Ok(Store {
            conn: Mutex::new(conn),
            dir: dir.to_path_buf(),
            db_path,
            lock,
        })
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pid of a previous owner that died holding the directory (its lock was taken over).
    pub fn took_over_from(&self) -> Option<u32> {
        self.lock.took_over_from()
    }

    /// Store the bisection's parameters, or check them against the stored ones: the same
    /// parameters ([`fingerprint`]) resume, others fail with [`Error::OtherBisection`].
    pub fn begin(&self, params: &serde_json::Value) -> Result<Begin, Error> {
        let given = fingerprint(params);
        let conn = self.conn();
        let stored: Option<String> = conn
            .query_row("SELECT fingerprint FROM params WHERE id = 1", [], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|source| self.read_error(source))?;
        match stored {
            Some(stored) if stored == given => Ok(Begin::Resumed),
            Some(stored) => Err(Error::OtherBisection {
                path: self.dir.clone(),
                stored,
                given,
            }),
            None => {
                conn.execute(
                    "INSERT INTO params (id, fingerprint, json) VALUES (1, ?1, ?2)",
                    params![given, params.to_string()],
                )
                .map_err(|source| self.write_error(source))?;
                Ok(Begin::Fresh)
            }
        }
    }

    /// The stored parameters, if any.
    pub fn params(&self) -> Result<Option<serde_json::Value>, Error> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT json FROM params WHERE id = 1", [], |row| row.get(0))
            .optional()
            .map_err(|source| self.read_error(source))?;
        json.map(|json| self.decode(&json)).transpose()
    }

    /// Store a value under `key` (replacing the one there): what the caller keeps across
    /// sessions besides the records, e.g. counters. Keys starting with `schema` are reserved.
    pub fn set_value(&self, key: &str, value: &serde_json::Value) -> Result<(), Error> {
        if key.starts_with("schema") {
            return Err(Error::Corrupt {
                path: self.db_path.clone(),
                message: format!("key {key:?} is reserved"),
            });
        }
        self.conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value.to_string()],
            )
            .map_err(|source| self.write_error(source))?;
        Ok(())
    }

    /// The value stored under `key` by [`Store::set_value`], if any.
    pub fn value(&self, key: &str) -> Result<Option<serde_json::Value>, Error> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|source| self.read_error(source))?;
        text.map(|t| self.decode(&t)).transpose()
    }

    /// The id of the last recorded build (0 when there is none).
    pub fn last_build_id(&self) -> Result<BuildId, Error> {
        self.max_id("builds")
    }

    /// The id of the last recorded run (0 when there is none).
    pub fn last_run_id(&self) -> Result<RunId, Error> {
        self.max_id("runs")
    }

    fn max_id(&self, table: &str) -> Result<i64, Error> {
        let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
        self.conn()
            .query_row(&sql, [], |row| row.get(0))
            .map_err(|source| self.read_error(source))
    }

    /// Record a finished build; committed when this returns.
    pub fn record_build(&self, build: &Build) -> Result<BuildId, Error> {
        let error_lines = serde_json::Value::from(build.error_lines.clone()).to_string();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO builds (commit_id, tree_id, build_key, ok, artifact_hash, secs, error_lines)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                build.commit,
                build.tree_id,
                build.build_key,
                build.ok,
                build.artifact_hash,
                build.secs,
                error_lines
            ],
        )
        .map_err(|source| self.write_error(source))?;
        Ok(conn.last_insert_rowid())
    }

    /// Record a finished run; committed when this returns.
    pub fn record_run(&self, run: &Run) -> Result<RunId, Error> {
        let conn = self.conn();
        self.insert_run(&conn, run)
    }

    /// Record a finished run and append an event about it, both or neither: committed together
    /// when this returns, so a process killed in between cannot leave one without the other.
    /// Returns the run's id.
    pub fn record_run_with_event<T: Serialize + ?Sized>(
        &self,
        run: &Run,
        kind: &str,
        payload: &T,
    ) -> Result<RunId, Error> {
        let payload = self.encode(payload)?;
        let mut conn = self.conn();
        let tx = conn
            .transaction()
            .map_err(|source| self.write_error(source))?;
        let id = self.insert_run(&tx, run)?;
        tx.execute(
            "INSERT INTO events (kind, payload) VALUES (?1, ?2)",
            params![kind, payload],
        )
        .map_err(|source| self.write_error(source))?;
        tx.commit().map_err(|source| self.write_error(source))?;
        Ok(id)
    }

    fn insert_run(&self, conn: &Connection, run: &Run) -> Result<RunId, Error> {
        let probe_id = i64::try_from(run.probe_id).map_err(|_| Error::Corrupt {
            path: self.db_path.clone(),
            message: format!("probe id {} does not fit in SQLite's integer", run.probe_id),
        })?;
        conn.execute(
            "INSERT INTO runs (probe_id, commit_id, build_id, run_index, outcome, secs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                probe_id,
                run.commit,
                run.build_id,
                run.index,
                run.outcome.to_string(),
                run.secs
            ],
        )
        .map_err(|source| self.write_error(source))?;
        Ok(conn.last_insert_rowid())
    }

    /// Append an event (any value serde writes as JSON); committed when this returns. Returns
    /// its sequence number.
    pub fn append_event<T: Serialize + ?Sized>(
        &self,
        kind: &str,
        payload: &T,
    ) -> Result<i64, Error> {
        let payload = self.encode(payload)?;
        let conn = self.conn();
        conn.execute(
            "INSERT INTO events (kind, payload) VALUES (?1, ?2)",
            params![kind, payload],
        )
        .map_err(|source| self.write_error(source))?;
        Ok(conn.last_insert_rowid())
    }

    /// The event log's payloads read back as the caller's type, in order. A payload that does
    /// not decode is [`Error::Corrupt`], naming its position.
    pub fn events_as<T: DeserializeOwned>(&self) -> Result<Vec<T>, Error> {
        self.event_rows()?
            .into_iter()
            .map(|(seq, kind, payload)| {
                serde_json::from_str(&payload).map_err(|e| Error::Corrupt {
                    path: self.db_path.clone(),
                    message: format!("event {seq} ({kind}) does not read back: {e}"),
                })
            })
            .collect()
    }

    /// Every event's sequence number, kind and payload text, in order.
    fn event_rows(&self) -> Result<Vec<(i64, String, String)>, Error> {
        self.query(
            "SELECT seq, kind, payload FROM events ORDER BY seq",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
    }

    fn encode<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
        serde_json::to_string(value).map_err(|e| Error::Encode {
            path: self.db_path.clone(),
            message: e.to_string(),
        })
    }

    /// The whole event log, in order.
    pub fn events(&self) -> Result<Vec<Event>, Error> {
        self.event_rows()?
            .into_iter()
            .map(|(seq, kind, payload)| {
                Ok(Event {
                    seq,
                    kind,
                    payload: self.decode(&payload)?,
                })
            })
            .collect()
    }

    /// Every recorded build with its id, in recording order.
    pub fn builds(&self) -> Result<Vec<(BuildId, Build)>, Error> {
        self.builds_where("1 = 1", [])
    }

    /// Every recorded run with its id, in recording order.
    pub fn runs(&self) -> Result<Vec<(RunId, Run)>, Error> {
        self.runs_where("1 = 1", [])
    }

    /// Builds of this tree with this build key (any commit), in recording order.
    pub fn builds_by_tree(
        &self,
        tree_id: &str,
        build_key: &str,
    ) -> Result<Vec<(BuildId, Build)>, Error> {
        self.builds_where("tree_id = ?1 AND build_key = ?2", [tree_id, build_key])
    }

    /// Builds that produced this artifact, in recording order.
    pub fn builds_by_artifact(&self, artifact_hash: &str) -> Result<Vec<(BuildId, Build)>, Error> {
        self.builds_where("artifact_hash = ?1", [artifact_hash])
    }

    /// Runs that tested a build of this tree with this build key (any commit).
    pub fn runs_by_tree(&self, tree_id: &str, build_key: &str) -> Result<Vec<(RunId, Run)>, Error> {
        self.runs_where(
            "build_id IN (SELECT id FROM builds WHERE tree_id = ?1 AND build_key = ?2)",
            [tree_id, build_key],
        )
    }

    /// Runs that tested a build with this artifact.
    pub fn runs_by_artifact(&self, artifact_hash: &str) -> Result<Vec<(RunId, Run)>, Error> {
        self.runs_where(
            "build_id IN (SELECT id FROM builds WHERE artifact_hash = ?1)",
            [artifact_hash],
        )
    }

    fn builds_where<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<(BuildId, Build)>, Error> {
        type Row = (
            i64,
            String,
            String,
            String,
            bool,
            Option<String>,
            f64,
            String,
        );
        let sql = format!(
            "SELECT id, commit_id, tree_id, build_key, ok, artifact_hash, secs, error_lines
             FROM builds WHERE {filter} ORDER BY id"
        );
        let rows: Vec<Row> = self.query(&sql, params, |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
                row.get(7)?,
            ))
        })?;
        rows.into_iter()
            .map(
                |(id, commit, tree_id, build_key, ok, artifact_hash, secs, error_lines)| {
                    let error_lines =
                        serde_json::from_value(self.decode(&error_lines)?).map_err(|e| {
                            Error::Corrupt {
                                path: self.db_path.clone(),
                                message: format!("build {id}: error lines: {e}"),
                            }
                        })?;
                    Ok((
                        id,
                        Build {
                            commit,
                            tree_id,
                            build_key,
                            ok,
                            artifact_hash,
                            secs,
                            error_lines,
                        },
                    ))
                },
            )
            .collect()
    }

    fn runs_where<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<(RunId, Run)>, Error> {
        type Row = (i64, i64, String, Option<i64>, u32, String, f64);
        let sql = format!(
            "SELECT id, probe_id, commit_id, build_id, run_index, outcome, secs
             FROM runs WHERE {filter} ORDER BY id"
        );
        let rows: Vec<Row> = self.query(&sql, params, |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
            ))
        })?;
        rows.into_iter()
            .map(|(id, probe_id, commit, build_id, index, outcome, secs)| {
                Ok((
                    id,
                    Run {
                        probe_id: probe_id.unsigned_abs(),
                        commit,
                        build_id,
                        index,
                        outcome: self.decode(&outcome)?,
                        secs,
                    },
                ))
            })
            .collect()
    }

    fn query<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, Error> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(sql)
            .map_err(|source| self.read_error(source))?;
        let rows = statement
            .query_map(params, map)
            .map_err(|source| self.read_error(source))?;
        rows.collect::<rusqlite::Result<Vec<T>>>()
            .map_err(|source| self.read_error(source))
    }

    fn decode(&self, json: &str) -> Result<serde_json::Value, Error> {
        serde_json::from_str(json).map_err(|e| Error::Corrupt {
            path: self.db_path.clone(),
            message: e.to_string(),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic in another thread mid-call leaves no half-done transaction behind (each call is
        // one autocommitted statement), so the connection stays usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_error(&self, source: rusqlite::Error) -> Error {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return Error::Full {
                path: self.db_path.clone(),
            };
        }
        Error::Write {
            path: self.db_path.clone(),
            source,
        }
    }

    fn read_error(&self, source: rusqlite::Error) -> Error {
        Error::Read {
            path: self.db_path.clone(),
            source,
        }
    }
}

/// SHA-256 (hex) of the parameters' canonical JSON: object keys sorted at every level, no
/// whitespace. Equal parameters give equal fingerprints whatever their key order.
pub fn fingerprint(params: &serde_json::Value) -> String {
    let mut canonical = String::new();
    write_canonical(params, &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_key_order_but_not_values() {
        let a = serde_json::json!({"repo": "/r", "build": "make", "nested": {"x": 1, "y": [1, 2]}});
        let b = serde_json::json!({"nested": {"y": [1, 2], "x": 1}, "build": "make", "repo": "/r"});
        let c =
            serde_json::json!({"repo": "/r", "build": "make -j2", "nested": {"x": 1, "y": [1, 2]}});
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(fingerprint(&a).len(), 64);
    }
}
