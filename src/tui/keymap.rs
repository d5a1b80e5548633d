//! Keymaps: `keymaps/*.toml` map key strings to [`Action`] names.
//!
//! ```toml
//! inherits = "default"      # optional
//! [keys]
//! "ctrl-c" = "quit"
//! j = "move_down"
//! x = "none"                # unbind
//! ```
//!
//! ctrl-c is not a keymap action: it always quits, and a keymap that unbinds
//! or rebinds it gets a warning and keeps ctrl-c quitting.

use std::collections::HashMap;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::layered;

pub const EMBEDDED: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// A key with its modifiers, normalised so `G` and `shift-g` are the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, mods }
    }

    pub fn from_event(ev: &KeyEvent) -> Self {
        Self::new(ev.code, ev.modifiers)
    }

    /// Parses `q`, `G`, `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `pagedown`, `f5`, `space`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let strip =
                |p: &str| (lower.starts_with(p) && rest.len() > p.len()).then(|| &rest[p.len()..]);
            if let Some(r) = strip("ctrl-").or_else(|| strip("c-")) {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = strip("alt-").or_else(|| strip("a-")) {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = strip("shift-").or_else(|| strip("s-")) {
                mods |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "ret" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("bad key {s:?}"))?)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() {
                            KeyCode::Char(c.to_ascii_uppercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => return Err(format!("unknown key {s:?}")),
                }
            }
        };
        Ok(Self::new(code, mods))
    }

    /// How help and hints spell the key.
    pub fn display(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("shift-");
        }
        let name = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::Backspace => "backspace".into(),
            KeyCode::Delete => "del".into(),
            KeyCode::F(n) => format!("f{n}"),
            other => format!("{other:?}").to_lowercase(),
        };
        out.push_str(&name);
        out
    }
}

/// ctrl-c: hard-wired to quit, whatever a keymap says (see `from_table`).
fn ctrl_c() -> Key {
    Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
}

/// The active bindings.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    pub name: String,
    bindings: HashMap<Key, Action>,
}

impl Keymap {
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        self.bindings.get(&Key::from_event(key)).copied()
    }

    /// Keys bound to an action, for help and hints.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| *k)
            .collect();
        // Short, plain keys first: that is what hints should show.
        keys.sort_by_key(|k| {
            let d = k.display();
            (d.chars().count(), d)
        });
        keys
    }

    /// The first key for an action, spelled for a hint ("?" if unbound).
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action)
            .first()
            .map(Key::display)
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// Builds a keymap from a merged table; bad entries become warnings.
    /// Two spellings of one key bound to different actions (`G` and
    /// `shift-g`) are a conflict: a warning names both, the last in the
    /// file's key order wins. ctrl-c is not the keymap's: it always quits.
    pub fn from_table(name: &str, table: &toml::Table, warnings: &mut Vec<String>) -> Self {
        let mut bindings = HashMap::new();
        // Which spelling bound each key, to name both sides of a conflict.
        let mut spelled: HashMap<Key, (String, String)> = HashMap::new();
        for k in table.keys() {
            if k != "keys" {
                warnings.push(format!("keymap {name}: unknown section {k:?}"));
            }
        }
        if let Some(keys) = table.get("keys").and_then(|v| v.as_table()) {
            for (k, v) in keys {
                let key = match Key::parse(k) {
                    Ok(key) => key,
                    Err(e) => {
                        warnings.push(format!("keymap {name}: {e}"));
                        continue;
                    }
                };
                if key == ctrl_c() {
                    if v.as_str() != Some("quit") {
                        warnings.push(format!(
                            "keymap {name}: key {k:?}: ctrl-c always quits kclm and cannot be rebound"
                        ));
                    }
                    continue;
                }
                let what = v.as_str().unwrap_or_default().to_string();
                if let Some((other_k, other_what)) = spelled.get(&key)
                    && *other_what != what
                {
                    warnings.push(format!(
                        "keymap {name}: conflicting bindings for one key: {other_k:?} = {other_what:?} and {k:?} = {what:?} ({k:?} wins)"
                    ));
                }
                spelled.insert(key, (k.clone(), what));
                match v.as_str() {
                    Some("none") | Some("unbound") => {
                        bindings.remove(&key);
                    }
                    Some(_) => match v.clone().try_into::<Action>() {
                        Ok(action) => {
                            bindings.insert(key, action);
                        }
                        Err(e) => warnings.push(format!("keymap {name}: key {k:?}: {e}")),
                    },
                    None => {
                        warnings.push(format!("keymap {name}: key {k:?}: expected an action name"))
                    }
                }
            }
        }
        bindings.insert(ctrl_c(), Action::Quit);
        Self {
            name: name.to_string(),
            bindings,
        }
    }

    /// Loads a keymap by name (embedded default < user file); never fails:
    /// problems come back as warnings and the default keymap is used.
    pub fn load(name: &str, dir: &Path) -> (Self, Vec<String>) {
        let layered = layered::load("keymap", name, EMBEDDED, dir);
        let mut warnings = layered.warnings;
        if layered.table.is_empty() {
            let fallback = layered::load("keymap", "default", EMBEDDED, dir);
            warnings.extend(fallback.warnings);
            let km = Self::from_table("default", &fallback.table, &mut warnings);
            return (km, warnings);
        }
        // No key to quit is no trap: ctrl-c always quits.
        (
            Self::from_table(name, &layered.table, &mut warnings),
            warnings,
        )
    }

    /// The built-in default keymap, ignoring user files.
    pub fn builtin() -> Self {
        Self::load("default", Path::new("/nonexistent")).0
    }
}
