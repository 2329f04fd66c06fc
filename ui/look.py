"""The UI's theme, CSS and small scripts: system fonts (nothing fetched), AA contrast, focus rings.

Colours follow the GOV.UK palette that public-sector staff know: dark text, blue links, a yellow
focus ring with a dark outline, so every control shows where the keyboard is.
"""

from __future__ import annotations

import gradio as gr

SYSTEM_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "Arial", "sans-serif")
MONO_FONTS = ("ui-monospace", "Consolas", "Menlo", "monospace")


def theme() -> gr.themes.Base:
    """Gradio's default theme with local fonts only and darker greys for contrast."""
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue,
        secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate,
        font=SYSTEM_FONTS,
        font_mono=MONO_FONTS,
    ).set(
        body_text_color="#0b0c0c",
        body_text_color_subdued="#484949",
        block_label_text_color="#0b0c0c",
        block_info_text_color="#484949",
        button_primary_background_fill="#1d70b8",
        button_primary_background_fill_hover="#003078",
        button_primary_text_color="#ffffff",
        button_secondary_text_color="#0b0c0c",
        input_placeholder_color="#505a5f",
        link_text_color="#1d70b8",
        link_text_color_visited="#4c2c92",
    )


CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto; }
:focus-visible { outline: 3px solid #ffdd00 !important; outline-offset: 0;
  box-shadow: 0 0 0 6px #0b0c0c !important; }
button[role=tab][aria-selected=true] { color: #1d70b8 !important; }
button[role=tab] { color: #0b0c0c; }
.sg-visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px;
  padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.sg-note { border-left: 6px solid #1d70b8; background: #f3f2f1; padding: 8px 12px;
  color: #0b0c0c; margin: 0; }
.sg-notice { border-left: 6px solid #f47738; background: #fef3ea; padding: 8px 12px;
  color: #0b0c0c; }
.sg-status { color: #942514; font-weight: 700; margin: 4px 0; }
.sg-status:empty { display: none; }
.sg-sources { padding-left: 0; list-style: none; margin: 0; }
.sg-source { border-top: 1px solid #b1b4b6; padding: 8px 0; }
.sg-where { font-weight: 700; font-size: 1rem; margin: 0 0 4px; color: #0b0c0c; }
.sg-n { color: #1d70b8; }
.sg-passage { margin: 4px 0; padding: 4px 10px; border-left: 4px solid #b1b4b6;
  color: #0b0c0c; font-size: 0.95em; }
.sg-passage mark, .sg-reader mark { background: #fff2a8; color: #0b0c0c;
  text-decoration: underline; text-decoration-thickness: 2px; }
.sg-links { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0 0; }
.sg-open { border: 2px solid #1d70b8; color: #1d70b8; background: #ffffff; border-radius: 4px;
  padding: 4px 10px; font-weight: 600; cursor: pointer; min-height: 32px; }
.sg-open:hover { background: #e8f1f8; color: #003078; }
.sg-pdf { color: #1d70b8; text-decoration: underline; }
.sg-refused { border: 3px solid #f47738; background: #fef3ea; padding: 8px 12px; }
.sg-refused h2, .sg-refused h3 { color: #0b0c0c; margin-top: 0; }
.sg-refused-label { color: #0b0c0c; background: #fef3ea; border-left: 6px solid #f47738;
  padding: 4px 8px; }
.sg-columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
  gap: 16px; }
.sg-column { border: 1px solid #b1b4b6; padding: 8px 12px; border-radius: 4px; }
.sg-column h2 { margin-top: 0; }
.sg-reader { border: 2px solid #1d70b8; padding: 8px 12px; border-radius: 4px; }
.sg-reader h2 { margin-top: 0; font-size: 1.15em; }
.sg-reader h2:focus { outline: 3px solid #ffdd00; }
.sg-passages { padding-left: 1.2em; }
.sg-passages li { margin-bottom: 10px; }
.sg-heatmap-wrap { overflow-x: auto; }
.sg-heatmap { border-collapse: collapse; width: 100%; }
.sg-heatmap caption { text-align: left; padding: 4px 0; color: #0b0c0c; }
.sg-heatmap th, .sg-heatmap td { border: 1px solid #b1b4b6; padding: 2px; text-align: center;
  color: #0b0c0c; }
.sg-heatmap th[scope=row] { text-align: left; padding: 4px 8px; }
.sg-cell { width: 100%; min-height: 36px; border: 0; cursor: pointer; font-weight: 700;
  font-size: 1em; color: #0b0c0c; }
.sg-level-0 { background: #ffffff; color: #484949; }
.sg-level-1 { background: #d2e2f1; }
.sg-level-2 { background: #8eb8dc; }
.sg-level-3 { background: #1d70b8; color: #ffffff; }
.sg-level-4 { background: #003078; color: #ffffff; }
.sg-eval table { border-collapse: collapse; margin: 8px 0; }
.sg-eval th, .sg-eval td { border: 1px solid #b1b4b6; padding: 4px 8px; text-align: left; }
.sg-eval .num { text-align: right; }
.sg-eval .table-wrap { overflow-x: auto; }
.sg-eval img { max-width: min(100%, 760px); height: auto; }
.sg-run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.sg-run dt { font-weight: 700; }
.sg-run dd { margin: 0; }
.sg-eval summary { cursor: pointer; color: #1d70b8; font-weight: 600; }
.sg-eval figure { margin: 8px 0 16px; }
.sg-quiz-items { padding-left: 0; list-style: none; margin: 0; }
.sg-quiz-item { border-top: 1px solid #b1b4b6; padding: 10px 0; }
.sg-quiz-q { font-size: 1.05em; margin: 0 0 2px; color: #0b0c0c; overflow-wrap: anywhere; }
.sg-quiz-kind { color: #484949; margin: 0 0 6px; font-size: 0.9em; }
.sg-options { list-style: none; padding-left: 0; margin: 4px 0 8px; }
.sg-options li { padding: 2px 0; overflow-wrap: anywhere; }
.sg-quiz-letter { font-weight: 700; display: inline-block; min-width: 1.6em; }
.sg-quiz-hint { display: block; font-style: italic; margin: 4px 0 8px; }
.sg-quiz-source { font-weight: 400; margin: 6px 0 2px; color: #0b0c0c; }
.sg-feedback { margin: 4px 0; }
#sg-quiz-download .filename { display: block; font-size: 0; }  /* no gap between stem and ext */
#sg-quiz-download .filename span { font-size: 0.875rem; white-space: normal; overflow: visible; }
.sg-reveal { margin: 4px 0; }
.sg-reveal summary { cursor: pointer; color: #1d70b8; font-weight: 600; padding: 6px 0;
  text-decoration: underline; }
.sg-reveal[open] { border-left: 4px solid #1d70b8; padding-left: 10px; }
.sg-quiz .sg-notice { margin: 4px 0 8px; }
@media (max-width: 640px) {
  .sg-heatmap th[scope=col] { font-size: 0.8em; }
  .sg-cell { min-height: 44px; }
}
"""

# Buttons inside HTML panels carry data attributes; one delegated listener per panel turns a
# click (or Enter/Space, which browsers deliver as a click on a button) into a Gradio event.
DATA_BUTTONS_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-passage], button[data-theme]');
  if (button) { trigger('click', Object.assign({}, button.dataset)); }
});
"""

# After a passage opens, move focus to its heading so keyboard and screen-reader users land there.
FOCUS_READER_JS = """
() => { setTimeout(() => { const h = document.querySelector('#sg-reader-h');
  if (h) { h.setAttribute('tabindex', '-1'); h.focus(); } }, 150); }
"""

HEAD = '<meta name="description" content="Cited answers from three child safeguarding reports">'
