//! Keys while an overlay (palette, help, sort picker, YAML) is on top.

use crossterm::event::{KeyCode, KeyEvent};

use super::action::Action;
use super::input::{EditOutcome, LineEdit};
use super::overlay::{Overlay, needs_arg};
use super::state::{State, with_rows};
use super::table::TableRow;
use super::update::{Effect, command, set_sort};
use super::widgets::confirm::ConfirmOutcome;

pub fn on_key(s: &mut State, k: &KeyEvent) -> Vec<Effect> {
    let Some(overlay) = s.overlay.take() else {
        return Vec::new();
    };
    let act = s.keymap.action(k);
    let page = s.size.1.saturating_sub(6) as usize;
    match overlay {
        Overlay::Palette(mut p) => {
            match k.code {
                KeyCode::Tab => {
                    p.accept_completion();
                    p.complete(&s.theme_names, &s.landscapes);
                }
                KeyCode::Up => p.cursor = p.cursor.saturating_sub(1),
                KeyCode::Down => p.cursor = (p.cursor + 1).min(p.items.len().saturating_sub(1)),
                _ => match p.line.handle(k) {
                    EditOutcome::Submit => {
                        let typed = p.line.text.trim().to_string();
                        // An exact command (or one nothing completes) runs as typed;
                        // a prefix runs the highlighted completion.
                        let line = if p.items.is_empty() || p.items.iter().any(|i| i.0 == typed) {
                            typed
                        } else {
                            p.items[p.cursor].0.clone()
                        };
                        if needs_arg(&line) {
                            p.accept_completion();
                            p.complete(&s.theme_names, &s.landscapes);
                            s.overlay = Some(Overlay::Palette(p));
                            return Vec::new();
                        }
                        return command(s, &line);
                    }
                    EditOutcome::Cancel => return Vec::new(),
                    EditOutcome::Changed => {
                        p.cursor = 0;
                        p.complete(&s.theme_names, &s.landscapes);
                    }
                    _ => {}
                },
            }
            s.overlay = Some(Overlay::Palette(p));
        }
        Overlay::Help { mut scroll } => match act {
            Some(Action::MoveDown) => {
                scroll += 1;
                s.overlay = Some(Overlay::Help { scroll });
            }
            Some(Action::MoveUp) => {
                scroll = scroll.saturating_sub(1);
                s.overlay = Some(Overlay::Help { scroll });
            }
            Some(Action::PageDown) => {
                s.overlay = Some(Overlay::Help {
                    scroll: scroll + page,
                })
            }
            Some(Action::PageUp) => {
                s.overlay = Some(Overlay::Help {
                    scroll: scroll.saturating_sub(page),
                })
            }
            // In an overlay, quit closes it (like less); ctrl-c quits kclm.
            Some(Action::Quit | Action::Back | Action::Help) => {}
            _ if matches!(
                k.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?')
            ) => {}
            _ => s.overlay = Some(Overlay::Help { scroll }),
        },
        Overlay::SortPick { mut cursor } => {
            let kind = s.active();
            let n = with_rows!(s.ls.rows, kind, |rows| ncols(rows));
            match (act, k.code) {
                (_, KeyCode::Enter) => {
                    let desc = s.pane(kind).sort.desc && s.pane(kind).sort.col == cursor;
                    return set_sort(s, kind, cursor, desc);
                }
                (_, KeyCode::Esc) | (Some(Action::Back | Action::Quit), _) => return Vec::new(),
                (Some(Action::MoveDown), _) => cursor = (cursor + 1).min(n - 1),
                (Some(Action::MoveUp), _) => cursor = cursor.saturating_sub(1),
                _ => {}
            }
            s.overlay = Some(Overlay::SortPick { cursor });
        }
        Overlay::Menu(mut m) => {
            let n = m.items.len();
            match (act, k.code) {
                (_, KeyCode::Enter) => {
                    return match m.items.get(m.cursor).cloned() {
                        Some(it) => super::update_ops::run_item(s, &it),
                        None => Vec::new(),
                    };
                }
                (_, KeyCode::Esc) | (Some(Action::Back | Action::Quit | Action::OpsMenu), _) => {
                    return Vec::new();
                }
                (Some(Action::MoveDown), _) => m.cursor = (m.cursor + 1).min(n.saturating_sub(1)),
                (Some(Action::MoveUp), _) => m.cursor = m.cursor.saturating_sub(1),
                (Some(a), _) if m.items.iter().any(|i| i.action == Some(a)) => {
                    if let Some(it) = m.items.iter().find(|i| i.action == Some(a)).cloned() {
                        return super::update_ops::run_item(s, &it);
                    }
                }
                (_, KeyCode::Char(c)) if c.is_ascii_digit() && c != '0' => {
                    let i = (c as usize) - ('1' as usize);
                    if let Some(it) = m.items.get(i).filter(|it| it.action.is_none()).cloned() {
                        return super::update_ops::run_item(s, &it);
                    }
                }
                _ => {}
            }
            s.overlay = Some(Overlay::Menu(m));
        }
        Overlay::Results(mut r) => match (act, k.code) {
            (_, KeyCode::Esc | KeyCode::Enter) | (Some(Action::Back | Action::Quit), _) => {
                // Closing the results also clears their summary from the status line.
                s.status = None;
            }
            (Some(Action::MoveDown), _) => {
                r.scroll = (r.scroll + 1).min(r.lines.len().saturating_sub(1));
                s.overlay = Some(Overlay::Results(r));
            }
            (Some(Action::MoveUp), _) => {
                r.scroll = r.scroll.saturating_sub(1);
                s.overlay = Some(Overlay::Results(r));
            }
            _ => s.overlay = Some(Overlay::Results(r)),
        },
        Overlay::Confirm(mut d) => match d.handle(k) {
            ConfirmOutcome::Open => s.overlay = Some(Overlay::Confirm(d)),
            ConfirmOutcome::Confirmed(effects) => return effects,
            ConfirmOutcome::Cancelled => super::update::info(s, "cancelled"),
        },
        Overlay::Yaml(mut y) => {
            if let Some(line) = y.search.as_mut() {
                match line.handle(k) {
                    EditOutcome::Changed => {
                        let q = line.text.clone();
                        y.set_query(&q);
                    }
                    EditOutcome::Submit => y.search = None,
                    EditOutcome::Cancel => {
                        y.search = None;
                        y.set_query("");
                    }
                    _ => {}
                }
                s.overlay = Some(Overlay::Yaml(y));
                return Vec::new();
            }
            let mut effects = Vec::new();
            match act {
                Some(Action::Back | Action::Yaml | Action::Quit) => {
                    s.dirty = true;
                    return Vec::new();
                }
                Some(Action::MoveDown) => y.scroll_by(1, page),
                Some(Action::MoveUp) => y.scroll_by(-1, page),
                Some(Action::PageDown) => y.scroll_by(page as isize, page),
                Some(Action::PageUp) => y.scroll_by(-(page as isize), page),
                Some(Action::HalfPageDown) => y.scroll_by(page as isize / 2, page),
                Some(Action::HalfPageUp) => y.scroll_by(-(page as isize) / 2, page),
                Some(Action::Top) => y.scroll = 0,
                Some(Action::Bottom) => y.scroll_by(isize::MAX / 2, page),
                Some(Action::Filter) => y.search = Some(LineEdit::with(&y.query.clone())),
                Some(Action::NextMatch) => y.next_match(true),
                Some(Action::PrevMatch) => y.next_match(false),
                Some(Action::Copy) => {
                    effects.push(Effect::Copy(y.lines.join("\n")));
                    super::update::info(s, format!("copied the YAML of {}", y.title));
                }
                _ => {}
            }
            s.overlay = Some(Overlay::Yaml(y));
            return effects;
        }
    }
    Vec::new()
}

fn ncols<R: TableRow>(_: &[R]) -> usize {
    R::COLUMNS.len()
}
