//! helix-style TOML themes: a `[palette]` of named colours, dotted semantic
//! scopes (`ui.table.header` falls back to `ui.table`, then `ui`, then the
//! terminal default) and `inherits = "parent"`.
//!
//! ```toml
//! inherits = "default"
//! "ui.table.header" = { fg = "accent", modifiers = ["bold"] }
//! "status.unhealthy" = "red"
//! [palette]
//! accent = "#7aa2f7"
//! ```

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use super::layered;

pub const EMBEDDED: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

/// Every scope the UI asks for (documentation and theme checks).
#[cfg_attr(not(test), allow(dead_code))]
pub const SCOPES: &[&str] = &[
    "ui.background",
    "ui.text",
    "ui.text.dim",
    "ui.border",
    "ui.border.focus",
    "ui.title",
    "ui.title.focus",
    "ui.breadcrumb",
    "ui.breadcrumb.current",
    "ui.table.header",
    "ui.table.selected",
    "ui.table.selected.unfocused",
    "ui.table.match",
    "ui.table.joined",
    "ui.statusbar",
    "ui.statusbar.message",
    "ui.statusbar.warning",
    "ui.statusbar.error",
    "ui.popup",
    "ui.popup.border",
    "ui.dialog.danger",
    "ui.help.key",
    "ui.input",
    "ui.input.error",
    "ui.table.marked",
    "ui.badge.dryrun",
    "ui.dialog.warning",
    "ui.menu.disabled",
    "timeline.bar",
    "timeline.busy",
    "timeline.now",
    "timeline.axis",
    "status.healthy",
    "status.progressing",
    "status.unknown",
    "status.unhealthy",
    "status.hibernated",
    "chip.true",
    "chip.false",
    "chip.progressing",
    "chip.unknown",
    "op.succeeded",
    "op.processing",
    "op.failed",
    "op.bar",
    "seed.ready",
    "seed.notready",
    "seed.unknown",
    "machine.led",
    "machine.alive",
    "machine.dead",
    "machine.unknown",
    "machine.locked",
    "machine.issue.critical",
    "machine.issue.major",
    "machine.issue.minor",
    "source.synced",
    "source.connecting",
    "source.error",
    "yaml.key",
    "yaml.string",
    "yaml.number",
    "yaml.bool",
    "yaml.comment",
    "yaml.punct",
    "yaml.match",
];

#[derive(Clone, Debug, Default)]
pub struct Theme {
    pub name: String,
    styles: HashMap<String, Style>,
}

fn parse_color(s: &str, palette: &HashMap<String, Color>) -> Result<Color, String> {
    if let Some(c) = palette.get(s) {
        return Ok(*c);
    }
    Color::from_str(s).map_err(|_| format!("unknown colour {s:?}"))
}

fn parse_modifier(s: &str) -> Result<Modifier, String> {
    Ok(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "slow_blink" => Modifier::SLOW_BLINK,
        "rapid_blink" => Modifier::RAPID_BLINK,
        "reversed" => Modifier::REVERSED,
        "hidden" => Modifier::HIDDEN,
        "crossed_out" => Modifier::CROSSED_OUT,
        other => return Err(format!("unknown modifier {other:?}")),
    })
}

fn parse_style(v: &toml::Value, palette: &HashMap<String, Color>) -> Result<Style, String> {
    match v {
        toml::Value::String(s) => Ok(Style::default().fg(parse_color(s, palette)?)),
        toml::Value::Table(t) => {
            let mut style = Style::default();
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("fg", toml::Value::String(s)) => style = style.fg(parse_color(s, palette)?),
                    ("bg", toml::Value::String(s)) => style = style.bg(parse_color(s, palette)?),
                    ("underline", toml::Value::String(s)) => {
                        style = style.underline_color(parse_color(s, palette)?)
                    }
                    ("modifiers", toml::Value::Array(mods)) => {
                        for m in mods {
                            let m = m.as_str().ok_or("modifiers must be strings")?;
                            style = style.add_modifier(parse_modifier(m)?);
                        }
                    }
                    (k, _) => return Err(format!("unknown style key {k:?}")),
                }
            }
            Ok(style)
        }
        _ => Err("a style is a colour string or a table { fg, bg, modifiers }".into()),
    }
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            // A nested table is a scope only if it looks like a style.
            toml::Value::Table(inner)
                if !inner
                    .keys()
                    .all(|k| matches!(k.as_str(), "fg" | "bg" | "modifiers" | "underline")) =>
            {
                flatten(&key, inner, out)
            }
            _ => out.push((key, v.clone())),
        }
    }
}

impl Theme {
    pub fn from_table(name: &str, table: &toml::Table, warnings: &mut Vec<String>) -> Self {
        let mut palette = HashMap::new();
        if let Some(p) = table.get("palette").and_then(|v| v.as_table()) {
            for (k, v) in p {
                match v.as_str().map(Color::from_str) {
                    Some(Ok(c)) => {
                        palette.insert(k.clone(), c);
                    }
                    _ => warnings.push(format!("theme {name}: palette.{k}: not a colour")),
                }
            }
        }
        let mut scopes = Vec::new();
        let mut rest = table.clone();
        rest.remove("palette");
        flatten("", &rest, &mut scopes);
        let mut styles = HashMap::new();
        for (scope, v) in scopes {
            match parse_style(&v, &palette) {
                Ok(s) => {
                    styles.insert(scope, s);
                }
                Err(e) => warnings.push(format!("theme {name}: {scope}: {e}")),
            }
        }
        Self {
            name: name.to_string(),
            styles,
        }
    }

    /// Loads a theme by name; never fails (warnings + the default theme).
    pub fn load(name: &str, dir: &Path) -> (Self, Vec<String>) {
        let layered = layered::load("theme", name, EMBEDDED, dir);
        let mut warnings = layered.warnings;
        if layered.table.is_empty() {
            let fallback = layered::load("theme", "default", EMBEDDED, dir);
            warnings.extend(fallback.warnings);
            return (
                Self::from_table("default", &fallback.table, &mut warnings),
                warnings,
            );
        }
        let theme = Self::from_table(name, &layered.table, &mut warnings);
        (theme, warnings)
    }

    pub fn builtin(name: &str) -> Self {
        Self::load(name, Path::new("/nonexistent")).0
    }

    /// The style of a scope, falling back along the dotted path.
    pub fn style(&self, scope: &str) -> Style {
        let mut s = scope;
        loop {
            if let Some(st) = self.styles.get(s) {
                return *st;
            }
            match s.rfind('.') {
                Some(i) => s = &s[..i],
                None => return Style::default(),
            }
        }
    }

    /// Whether a scope (not a parent) is defined, for theme checks.
    #[cfg(test)]
    pub fn defines(&self, scope: &str) -> bool {
        self.styles.contains_key(scope)
    }

    pub fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "toml")
                    && let Some(stem) = p.file_stem().and_then(|s| s.to_str())
                    && !names.iter().any(|n| n == stem)
                {
                    names.push(stem.to_string());
                }
            }
        }
        names
    }
}
