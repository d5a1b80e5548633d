//! `kclm demo screenshots`: the main screens rendered with the real drawing
//! code into a `TestBackend`, written as SVG (one `<text>` per row, one
//! `<tspan>` per run of equally styled cells).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use kclm::landscape::Landscape;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::action::Action;
use super::keymap::Keymap;
use super::render::render;
use super::state::{Screen, State, ViewKind};
use super::theme::Theme;
use super::update::{self, Msg};

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;

/// Renders the main screens of `ls` into `out` (created if needed) with the
/// default theme; returns the files written.
pub fn render_screenshots(ls: Landscape, out: &Path) -> color_eyre::Result<Vec<PathBuf>> {
    render_screenshots_at(ls, out, Timestamp::now(), &Theme::builtin("default"))
}

/// Like [`render_screenshots`] with a fixed clock and theme (for tests).
pub fn render_screenshots_at(
    ls: Landscape,
    out: &Path,
    now: Timestamp,
    theme: &Theme,
) -> color_eyre::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let mut state = State::new("demo", ls, Keymap::builtin(), now);
    let mut files = Vec::new();
    let mut shot = |state: &mut State, name: &str, w: u16, h: u16| -> color_eyre::Result<()> {
        let _ = update::update(state, Msg::Resize(w, h));
        let buf = draw(state, theme, w, h)?;
        let path = out.join(format!("{name}.svg"));
        std::fs::write(&path, to_svg(&buf, theme))?;
        files.push(path);
        Ok(())
    };
    // Land on a shoot that has something to show.
    if let Some(pos) = state
        .pane(ViewKind::Shoots)
        .visible
        .iter()
        .position(|i| state.ls.rows.shoots[*i as usize].machines > 0)
    {
        state.set_cursor(ViewKind::Shoots, pos);
    }
    shot(&mut state, "landscape", 200, 50)?;
    shot(&mut state, "landscape-80x24", 80, 24)?;
    update::action(&mut state, Action::FocusSeeds);
    shot(&mut state, "seeds", 200, 50)?;
    update::action(&mut state, Action::FocusMachines);
    shot(&mut state, "machines", 200, 50)?;
    update::action(&mut state, Action::FocusShoots);
    update::action(&mut state, Action::IssuesOnly);
    shot(&mut state, "issues-only", 200, 50)?;
    update::action(&mut state, Action::IssuesOnly);
    update::action(&mut state, Action::Yaml);
    shot(&mut state, "yaml", 160, 45)?;
    state.overlay = None;
    update::action(&mut state, Action::Help);
    shot(&mut state, "help", 160, 45)?;
    state.overlay = None;
    state.screen = Screen::List(ViewKind::Firewalls);
    shot(&mut state, "firewalls", 160, 45)?;
    state.screen = Screen::List(ViewKind::Maint);
    shot(&mut state, "maintenance", 200, 50)?;
    state.screen = Screen::Landscape;
    update::action(&mut state, Action::FocusShoots);
    update::action(&mut state, Action::Delete);
    shot(&mut state, "delete-dialog", 160, 45)?;
    state.overlay = None;
    Ok(files)
}

pub fn draw(state: &State, theme: &Theme, w: u16, h: u16) -> color_eyre::Result<Buffer> {
    let mut term = Terminal::new(TestBackend::new(w, h))?;
    term.draw(|f| render(f, state, theme))?;
    Ok(term.backend().buffer().clone())
}

fn hex(c: Color, default: &str) -> String {
    let named = |i: u8| -> &'static str {
        [
            "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
            "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
        ][i as usize]
    };
    match c {
        Color::Reset => default.to_string(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Black => named(0).into(),
        Color::Red => named(1).into(),
        Color::Green => named(2).into(),
        Color::Yellow => named(3).into(),
        Color::Blue => named(4).into(),
        Color::Magenta => named(5).into(),
        Color::Cyan => named(6).into(),
        Color::Gray => named(7).into(),
        Color::DarkGray => named(8).into(),
        Color::LightRed => named(9).into(),
        Color::LightGreen => named(10).into(),
        Color::LightYellow => named(11).into(),
        Color::LightBlue => named(12).into(),
        Color::LightMagenta => named(13).into(),
        Color::LightCyan => named(14).into(),
        Color::White => named(15).into(),
        Color::Indexed(i) if i < 16 => named(i).into(),
        Color::Indexed(i) => {
            let g = 8 + (i.saturating_sub(232) as u32) * 10;
            format!("#{g:02x}{g:02x}{g:02x}")
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Serialises a buffer as SVG using the theme's background/foreground for
/// cells that use the terminal default.
pub fn to_svg(buf: &Buffer, theme: &Theme) -> String {
    let base = theme.style("ui.background");
    let dfg = hex(base.fg.unwrap_or(Color::Gray), "#c0c0c0");
    let dbg = hex(base.bg.unwrap_or(Color::Black), "#000000");
    let (w, h) = (buf.area.width, buf.area.height);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="14">"#,
        (w as f32 * CELL_W).ceil(),
        (h as f32 * CELL_H).ceil()
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="{dbg}"/>"#);
    for y in 0..h {
        let mut x = 0;
        let mut texts = String::new();
        while x < w {
            let cell = &buf[(x, y)];
            let (fg, bg, m) = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < w {
                let c = &buf[(x, y)];
                if (c.fg, c.bg, c.modifier) != (fg, bg, m) {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let (mut fgc, mut bgc) = (hex(fg, &dfg), hex(bg, &dbg));
            if m.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fgc, &mut bgc);
            }
            if bgc != dbg {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{CELL_H}" fill="{bgc}"/>"#,
                    start as f32 * CELL_W,
                    y as f32 * CELL_H,
                    (x - start) as f32 * CELL_W
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            // textLength pins each run to its cells whatever the font's advance.
            let cells: usize = text
                .chars()
                .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(1))
                .sum();
            let mut attrs = format!(
                r#"x="{:.1}" textLength="{:.1}" lengthAdjust="spacingAndGlyphs" fill="{fgc}""#,
                start as f32 * CELL_W,
                cells as f32 * CELL_W
            );
            if m.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if m.contains(Modifier::ITALIC) {
                attrs.push_str(r#" font-style="italic""#);
            }
            if m.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            if m.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            let _ = write!(texts, "<tspan {attrs}>{}</tspan>", esc(&text));
        }
        if !texts.is_empty() {
            let _ = writeln!(
                svg,
                r#"<text y="{:.1}" xml:space="preserve">{texts}</text>"#,
                y as f32 * CELL_H + CELL_H * 0.75
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[allow(dead_code)] // used by benches/render.rs, which compiles this module
/// The shoots view of a landscape held in memory and drawn by the real render
/// code into a `TestBackend` (used by `benches/render.rs`).
pub struct FrameBench {
    state: State,
    theme: Theme,
    term: Terminal<TestBackend>,
}

#[allow(dead_code)] // used by benches/render.rs
impl FrameBench {
    pub fn new(ls: Landscape, w: u16, h: u16) -> color_eyre::Result<Self> {
        let mut state = State::new("bench", ls, Keymap::builtin(), Timestamp::now());
        let _ = update::update(&mut state, Msg::Resize(w, h));
        Ok(Self {
            state,
            theme: Theme::builtin("default"),
            term: Terminal::new(TestBackend::new(w, h))?,
        })
    }

    /// Draws one frame.
    pub fn frame(&mut self) -> color_eyre::Result<()> {
        let (state, theme) = (&self.state, &self.theme);
        self.term.draw(|f| render(f, state, theme))?;
        Ok(())
    }

    /// Rows in the shoots pane.
    pub fn shoots(&self) -> usize {
        self.state.ls.rows.shoots.len()
    }

    /// Moves the cursor one row down (what a keystroke does before a frame).
    pub fn cursor_down(&mut self) {
        let key =
            ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Down);
        let _ = update::update(&mut self.state, Msg::Key(key));
    }
}

#[allow(dead_code)] // used by benches/render.rs, which compiles this module
/// A console whose shoots pane holds the given rows (no landscape behind
/// them), for timing filter keystrokes through the real path (`benches/render.rs`).
pub struct KeystrokeBench {
    state: State,
    /// Watch events so far (each changes another row).
    changes: usize,
}

#[allow(dead_code)] // used by benches/render.rs
impl KeystrokeBench {
    pub fn new(shoots: Vec<kclm::landscape::rows::ShootRow>) -> Self {
        let mut state = State::new(
            "bench",
            Landscape::new(),
            Keymap::builtin(),
            Timestamp::now(),
        );
        state.ls.rows.shoots = kclm::filter::RowSet::new(shoots);
        state.refresh_all();
        Self { state, changes: 0 }
    }

    /// What typing the filter's last character does: parse, filter, sort and
    /// reselect the shoots pane (and re-scope the machines pane); returns the
    /// number of shoots shown.
    pub fn type_filter(&mut self, text: &str) -> usize {
        self.state.set_filter(ViewKind::Shoots, text);
        self.state.pane(ViewKind::Shoots).visible.len()
    }

    /// A watch event rewrote one shoot's row (its last operation moved on,
    /// its health changed), as the incremental row sync does.
    pub fn row_changed(&mut self) {
        let rows = &mut self.state.ls.rows.shoots;
        self.changes += 1;
        let i = self.changes.wrapping_mul(7919) % rows.len();
        let mut row = rows[i].clone();
        if let Some(op) = row.last_operation.as_mut() {
            op.progress = (op.progress + 1) % 100;
        }
        row.health = match row.health {
            kclm::landscape::health::Health::Healthy => {
                kclm::landscape::health::Health::Progressing
            }
            _ => kclm::landscape::health::Health::Healthy,
        };
        rows.set(i, row);
    }

    /// Moves the selection to the last shoot shown.
    pub fn select_last_shown(&mut self) {
        use super::table::TableRow;
        let pane = self
            .state
            .ls
            .panes
            .get_mut(&ViewKind::Shoots)
            .expect("pane");
        pane.cursor = pane.visible.len().saturating_sub(1);
        pane.selected = pane
            .selected_index()
            .map(|i| self.state.ls.rows.shoots[i].id().into_owned());
    }

    /// The shoots shown, as row indices (for checking the bench's answers).
    pub fn shown(&self) -> &[u32] {
        &self.state.pane(ViewKind::Shoots).visible
    }
}
