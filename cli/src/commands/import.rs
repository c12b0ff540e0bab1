//! `probity issuer import`: issue credentials from a CSV file through a node's batch
//! endpoint. Each row becomes the JSON fields the node reads (SPEC.md §5 names);
//! the node checks them, so a bad row is refused with its line number and reason,
//! and the rest of the file goes on.

use crate::cli::IssuerImportArgs;
use crate::exit;
use crate::node_client::NodeClient;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Map, Value};
use std::io::IsTerminal;
use std::time::Duration;

/// Largest CSV file read.
pub const MAX_CSV_BYTES: u64 = 256 << 20;
/// Columns whose cells are whole numbers.
const NUMBER_FIELDS: &[&str] = &[
    "loggedScans.total",
    "loggedScans.supervised",
    "score",
    "passMark",
];
/// Columns whose cells are lists separated by `;`.
const LIST_FIELDS: &[&str] = &["modules", "applications", "privileges"];
const EXAMS: [&str; 3] = ["written", "visual", "practical"];

/// One CSV row: its line number and its fields, or why it could not be read.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// The row as the node's import endpoint reads it, or a local refusal.
    pub fields: Result<Value, String>,
}

/// What an import did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Rows issued now.
    pub issued: u64,
    /// Rows issued by an earlier run.
    pub existing: u64,
    /// Refused rows: (line, why).
    pub refused: Vec<(u64, String)>,
}

/// Reads CSV text into rows (see `probity issuer import --help` for the columns).
pub fn rows_from_csv(bytes: &[u8]) -> Result<Vec<CsvRow>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .context("the CSV has no readable header row")?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            bail!("column {} of the header has no name", i + 1);
        }
        if headers[..i].contains(h) {
            bail!("the header names the column {h:?} twice");
        }
    }
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(line);
                let fields = if record.len() > headers.len() {
                    Err(format!(
                        "has {} cells but the header names {}",
                        record.len(),
                        headers.len()
                    ))
                } else {
                    row_fields(&headers, &record, line)
                };
                rows.push(CsvRow { line, fields });
            }
            Err(e) => {
                // A malformed row (say, an unclosed quote) is refused; the reader
                // resumes after it.
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                rows.push(CsvRow {
                    line,
                    fields: Err(format!("cannot be read as CSV: {e}")),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok(rows)
}

fn cell_value(field: &str, text: &str) -> Value {
    if NUMBER_FIELDS.contains(&field) {
        if let Ok(n) = text.parse::<u64>() {
            return n.into();
        }
    }
    text.into()
}

fn row_fields(headers: &[String], record: &csv::ByteRecord, line: u64) -> Result<Value, String> {
    let mut obj = Map::new();
    obj.insert("line".into(), line.into());
    let mut exams: Vec<(&str, Map<String, Value>)> = Vec::new();
    for (header, raw) in headers.iter().zip(record.iter()) {
        let cell = std::str::from_utf8(raw)
            .map_err(|_| format!("column {header}: not UTF-8 text"))?
            .trim();
        if cell.is_empty() {
            continue;
        }
        let h = header.as_str();
        if LIST_FIELDS.contains(&h) {
            let items: Vec<&str> = cell
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            obj.insert(h.into(), json!(items));
        } else if h == "supervisedScans" {
            let mut scans = Map::new();
            for pair in cell.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let (app, count) = pair
                    .rsplit_once('=')
                    .ok_or_else(|| format!("supervisedScans: {pair:?} is not APPLICATION=COUNT"))?;
                scans.insert(app.trim().into(), cell_value("score", count.trim()));
            }
            obj.insert(h.into(), Value::Object(scans));
        } else if h == "holderDid" {
            obj.insert("id".into(), cell.into());
        } else if let Some((kind, member)) = h.split_once('.').filter(|(k, _)| EXAMS.contains(k)) {
            let position = exams.iter().position(|(k, _)| *k == kind);
            let exam = match position {
                Some(i) => &mut exams[i].1,
                None => {
                    exams.push((
                        EXAMS
                            .iter()
                            .find(|e| **e == kind)
                            .copied()
                            .unwrap_or("written"),
                        Map::new(),
                    ));
                    let last = exams.len() - 1;
                    &mut exams[last].1
                }
            };
            exam.insert(member.into(), cell_value(member, cell));
        } else if let Some((outer, inner)) = h.split_once('.') {
            let entry = obj
                .entry(outer)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(o) = entry {
                o.insert(inner.into(), cell_value(h, cell));
            }
        } else {
            obj.insert(h.into(), cell.into());
        }
    }
    if !exams.is_empty() {
        let list: Vec<Value> = EXAMS
            .iter()
            .filter_map(|kind| exams.iter().find(|(k, _)| k == kind))
            .map(|(kind, fields)| {
                let mut e = fields.clone();
                e.insert("kind".into(), (*kind).into());
                Value::Object(e)
            })
            .collect();
        obj.insert("exams".into(), Value::Array(list));
    }
    Ok(Value::Object(obj))
}

/// Sends `rows` in batches of `batch_size` and gathers the outcome. A batch the node
/// does not acknowledge stops the import with an error: re-running the same rows
/// issues nothing twice.
pub fn import_rows(
    client: &NodeClient,
    rows: &[CsvRow],
    batch_size: usize,
    progress: &ProgressBar,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut done = 0usize;
    for batch in rows.chunks(batch_size.max(1)) {
        let mut send = Vec::new();
        for row in batch {
            match &row.fields {
                Ok(v) => send.push(v),
                Err(why) => summary.refused.push((row.line, why.clone())),
            }
        }
        if !send.is_empty() {
            let first = batch.first().map(|r| r.line).unwrap_or(0);
            let answer = client
                .post("/api/v1/import", &json!({"rows": send}))
                .with_context(|| {
                    format!(
                        "the batch starting at line {first} was not acknowledged ({done} rows before it were); \
                         run the same import again: rows already issued are not issued twice"
                    )
                })?;
            for result in answer["results"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let line = result["line"].as_u64().unwrap_or(0);
                match result["status"].as_str() {
                    Some("issued") => summary.issued += 1,
                    Some("existing") => summary.existing += 1,
                    _ => {
                        let why: Vec<String> = result["failures"]
                            .as_array()
                            .map(Vec::as_slice)
                            .unwrap_or_default()
                            .iter()
                            .map(|f| {
                                format!(
                                    "{}: {}",
                                    f["field"].as_str().unwrap_or("?"),
                                    f["reason"].as_str().unwrap_or("?")
                                )
                            })
                            .collect();
                        summary.refused.push((line, why.join("; ")));
                    }
                }
            }
        }
        done += batch.len();
        progress.inc(batch.len() as u64);
    }
    summary.refused.sort_by_key(|(line, _)| *line);
    Ok(summary)
}

/// Runs `probity issuer import`.
pub fn run(args: &IssuerImportArgs) -> Result<i32> {
    let bytes = crate::input::read_capped(&args.file, MAX_CSV_BYTES)?;
    let rows = rows_from_csv(&bytes).with_context(|| crate::input::display(&args.file))?;
    let client = NodeClient::new(&args.node.node, &args.node.token, Duration::from_secs(120))?;
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let progress = ProgressBar::with_draw_target(Some(rows.len() as u64), target);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows {per_sec} eta {eta}")
    {
        progress.set_style(style);
    }
    let summary = import_rows(&client, &rows, args.batch_size as usize, &progress);
    progress.finish_and_clear();
    let summary = summary?;
    let mut out = format!(
        "{}: {} issued, {} already issued, {} refused\n",
        crate::input::display(&args.file),
        summary.issued,
        summary.existing,
        summary.refused.len()
    );
    for (line, why) in &summary.refused {
        // Escaped: a CSV cell is untrusted text and must not steer the terminal.
        out.push_str(&format!("line {line}: {}\n", why.escape_debug()));
    }
    super::print(out)?;
    Ok(if summary.refused.is_empty() {
        exit::OK
    } else {
        exit::NOT_VALID
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_the_fields_the_node_reads() {
        let csv = "name,registrationNumber,track,modules,loggedScans.total,written.score,written.date,practical.score,importId\n\
                   Dr. A,CPSO 1,FM_MSK,shoulder; knee,150,92,2026-01-15,100,r1\n\
                   \"Dr. \"\"B\"\"\",CPSO 2,FM_MSK,,abc,,,,\n";
        let rows = rows_from_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let a = rows[0].fields.as_ref().unwrap();
        assert_eq!(rows[0].line, 2);
        assert_eq!(a["modules"], json!(["shoulder", "knee"]));
        assert_eq!(a["loggedScans"]["total"], 150);
        assert_eq!(
            a["exams"][0],
            json!({"kind": "written", "score": 92, "date": "2026-01-15"})
        );
        assert_eq!(a["exams"][1]["kind"], "practical");
        let b = rows[1].fields.as_ref().unwrap();
        assert_eq!(b["name"], "Dr. \"B\"");
        assert_eq!(b["loggedScans"]["total"], "abc");
        assert!(rows_from_csv(b"a,a\n1,2\n").is_err());
    }
}
