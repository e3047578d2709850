"""The UI's stylesheet, injected once into the page head (Gradio 6 takes css only at launch)."""

from __future__ import annotations

CSS = """
.sr-header { display: flex; align-items: baseline; gap: .8rem; flex-wrap: wrap;
  padding: .2rem 0 .1rem; }
.sr-header h1 { font-size: 1.4rem; margin: 0; font-weight: 700; }
.sr-header .sr-tagline { color: var(--body-text-color-subdued); font-size: .95rem; }
.sr-header .sr-reports { width: 100%; color: var(--body-text-color-subdued); font-size: .88rem; }
.sr-answer { line-height: 1.55; }
.sr-pending { color: var(--body-text-color-subdued); font-style: italic; }
.sr-ref { color: var(--color-accent); font-weight: 700; font-size: .72em; margin-left: 1px; }
.sr-sources { margin-top: .65rem; padding-top: .55rem;
  border-top: 1px solid var(--border-color-primary); display: flex; flex-direction: column;
  gap: .4rem; font-size: .88em; }
.sr-source { display: flex; gap: .5rem; align-items: baseline; line-height: 1.45; }
.sr-num { flex: none; display: inline-flex; align-items: center; justify-content: center;
  min-width: 1.35rem; height: 1.35rem; padding: 0 .25rem; border-radius: 999px;
  background: var(--color-accent-soft); color: var(--color-accent); font-weight: 700;
  font-size: .75rem; font-style: normal; }
.sr-section { font-weight: 600; margin-right: .35rem; }
.sr-quote { color: var(--body-text-color-subdued); font-style: italic; }
.sr-badge { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .78em;
  font-weight: 700; margin-right: .4rem; vertical-align: 1px; white-space: nowrap; }
.sr-badge-refusal { background: #f1f5f9; color: #475569; border: 1px solid #cbd5e1; }
.sr-refusal { color: var(--body-text-color-subdued); }
.sr-badge-error { background: #fee2e2; color: #b91c1c; border: 1px solid #fecaca; }
.sr-muted { color: var(--body-text-color-subdued); font-size: .85em; margin-top: .3rem; }
.sr-plan { margin-top: .4rem; font-size: .8em; color: var(--body-text-color-subdued); }
.sr-plan pre { white-space: pre-wrap; margin: .2rem 0 0; }
.sr-panel-title { font-size: .75rem; text-transform: uppercase; letter-spacing: .05em;
  color: var(--body-text-color-subdued); margin: 0 0 .5rem; font-weight: 600; }
.sr-plain { text-transform: none; letter-spacing: 0; font-weight: 400; }
.sr-panel-empty { border: 1px dashed var(--border-color-primary); border-radius: 8px;
  padding: .8rem 1rem; color: var(--body-text-color-subdued); font-size: .9rem; }
#sr-sources .sr-card { display: flex; gap: .6rem; align-items: flex-start; width: 100%;
  box-sizing: border-box; text-align: left; padding: .6rem .75rem; margin: 0 0 .45rem;
  border: 1px solid var(--border-color-primary); border-radius: 8px;
  background: var(--background-fill-primary); cursor: pointer; font-weight: 400; }
#sr-sources .sr-card:hover, #sr-sources .sr-card:focus-visible { border-color: var(--color-accent);
  outline: none; }
#sr-sources .sr-card-active { border-color: var(--color-accent);
  background: var(--color-accent-soft); box-shadow: inset 0 0 0 1px var(--color-accent); }
.sr-card-body { display: flex; flex-direction: column; gap: .15rem; font-size: .9em;
  line-height: 1.45; }
.sr-context { border-left: 3px solid var(--color-accent); padding: .6rem .9rem;
  background: var(--background-fill-secondary); border-radius: 0 8px 8px 0; }
.sr-context-head { display: flex; align-items: center; gap: .45rem; margin-bottom: .4rem;
  font-size: .9em; }
.sr-context-body { margin: 0; line-height: 1.6; font-size: .92em; }
.sr-context mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: 2px; }
.sr-about-title { font-weight: 700; font-size: 1.05rem; }
.sr-row { display: flex; gap: 1rem; margin: .55rem 0 0; font-size: .92rem; line-height: 1.5; }
.sr-label { flex: none; width: 12rem; font-weight: 600; color: var(--body-text-color-subdued); }
.sr-about-sections { margin: 0; padding-left: 1.1rem; columns: 3; column-gap: 2rem; flex: 1; }
.sr-about-sections li { margin: 0; }
.sr-model { margin-top: .9rem; padding-top: .4rem;
  border-top: 1px solid var(--border-color-primary); }
#sr-chat .message-content { overflow-wrap: anywhere; }
"""
