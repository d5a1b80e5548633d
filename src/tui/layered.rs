//! Shipped TOML defaults embedded in the binary, with user files merged over
//! them table by table (yazi/helix style). Shared by themes and keymaps.

use std::path::Path;

use toml::Table;

/// Where a name was found, for messages.
pub struct Layered {
    pub table: Table,
    pub warnings: Vec<String>,
}

/// Merges `over` into `base`: tables merge key by key, everything else replaces.
pub fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn parse(text: &str, what: &str) -> Result<Table, String> {
    text.parse::<Table>()
        .map_err(|e| format!("{what}: {}", e.to_string().trim().replace('\n', " ")))
}

/// The largest theme or keymap file read; a larger one is refused with one
/// warning (the shipped ones are a few KiB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a user file unless it is larger than [`MAX_FILE_BYTES`].
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    // One byte over the limit is enough to know; never read the rest.
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than the {} MiB limit",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Loads `name`: the embedded file (if any), then the user's `dir/<name>.toml`
/// over it; `inherits = "parent"` is resolved first (parent loaded the same
/// way). A missing or broken file is a warning, never an error; the caller
/// falls back to its default when the result is empty.
pub fn load(kind: &str, name: &str, embedded: &[(&str, &str)], dir: &Path) -> Layered {
    let mut warnings = Vec::new();
    let table = load_inner(kind, name, embedded, dir, &mut warnings, 0).unwrap_or_default();
    Layered { table, warnings }
}

fn load_inner(
    kind: &str,
    name: &str,
    embedded: &[(&str, &str)],
    dir: &Path,
    warnings: &mut Vec<String>,
    depth: usize,
) -> Option<Table> {
    if depth > 8 {
        warnings.push(format!("{kind} {name}: inherits chain too deep"));
        return None;
    }
    let builtin = embedded
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(
            |(_, text)| match parse(text, &format!("built-in {kind} {name}")) {
                Ok(t) => Some(t),
                Err(e) => {
                    warnings.push(e);
                    None
                }
            },
        );
    let path = dir.join(format!("{name}.toml"));
    let user = match read_capped(&path) {
        Ok(text) => match parse(&text, &path.display().to_string()) {
            Ok(t) => Some(t),
            Err(e) => {
                warnings.push(format!("{e} (using the built-in {kind})"));
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            warnings.push(format!("cannot read {}: {e}", path.display()));
            None
        }
    };
    if builtin.is_none() && user.is_none() {
        warnings.push(format!("no {kind} named {name:?}"));
        return None;
    }
    let parent_of = |t: &Option<Table>| {
        t.as_ref()
            .and_then(|t| t.get("inherits"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let parent = parent_of(&user).or_else(|| parent_of(&builtin));
    let mut out = match parent {
        Some(p) if p != name => {
            load_inner(kind, &p, embedded, dir, warnings, depth + 1).unwrap_or_default()
        }
        _ => Table::new(),
    };
    if let Some(b) = builtin {
        merge(&mut out, b);
    }
    if let Some(u) = user {
        merge(&mut out, u);
    }
    out.remove("inherits");
    Some(out)
}
