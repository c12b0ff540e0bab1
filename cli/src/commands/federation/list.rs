//! `probity federation list`: the federation and its members, as a table for people or
//! as JSON for scripts.

use super::store::Folder;
use crate::cli::federation::ListArgs;
use crate::commands::{pretty, print, print_text};
use crate::exit;
use anyhow::Result;
use probity_spec::registry::Member;
use probity_spec::text::printable;
use probity_spec::{did, multikey};
use serde_json::json;

/// Runs `probity federation list`.
pub fn run(args: &ListArgs) -> Result<i32> {
    let folder = Folder::new(&args.dir.dir);
    let state = folder.load()?;
    let federation_did = multikey::public_key_from_multibase(&state.federation_key)
        .map(|k| did::did_key(&k))
        .ok();
    if args.json {
        print(pretty(&json!({
            "name": state.name,
            "federationKey": state.federation_key,
            "federationDid": federation_did,
            "lastPublishedVersion": state.last_published_version,
            "lastPublishedAt": state.last_published_at,
            "members": state.members,
        }))?)?;
        return Ok(exit::OK);
    }
    let published = match &state.last_published_at {
        Some(at) if state.last_published_version > 0 => format!(
            "version {} at {}",
            state.last_published_version,
            printable(at)
        ),
        _ => "not yet".to_owned(),
    };
    let mut text = format!(
        "Federation  {}\nRoot key    {}\nPublished   {published}\nMembers     {}\n",
        printable(&state.name),
        printable(&state.federation_key),
        state.members.len()
    );
    if !state.members.is_empty() {
        text.push('\n');
        text.push_str(&table(&state.members));
    }
    print_text(&text)?;
    Ok(exit::OK)
}

/// The members as aligned columns, every value escaped for the terminal.
fn table(members: &[Member]) -> String {
    let header = [
        "STATUS",
        "KIND",
        "JURISDICTION",
        "DID",
        "NAME",
        "KEYS",
        "MAY ISSUE",
    ];
    let rows: Vec<[String; 7]> = members
        .iter()
        .map(|m| {
            [
                super::status_name(m.status).to_owned(),
                super::kind_name(m.kind).to_owned(),
                printable(&m.jurisdiction).into_owned(),
                printable(&m.id).into_owned(),
                printable(&m.name).into_owned(),
                keys_cell(m),
                super::accreditations_line(m),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  "));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(header.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// How many keys, and how many of them are retired or compromised.
fn keys_cell(member: &Member) -> String {
    let retired = member
        .keys
        .iter()
        .filter(|k| k.valid_until.is_some() && k.compromised_at.is_none())
        .count();
    let compromised = member
        .keys
        .iter()
        .filter(|k| k.compromised_at.is_some())
        .count();
    let mut cell = member.keys.len().to_string();
    let mut notes = Vec::new();
    if retired > 0 {
        notes.push(format!("{retired} retired"));
    }
    if compromised > 0 {
        notes.push(format!("{compromised} compromised"));
    }
    if !notes.is_empty() {
        cell.push_str(&format!(" ({})", notes.join(", ")));
    }
    cell
}
