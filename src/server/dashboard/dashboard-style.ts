/**
 * The dashboard's stylesheet, served as `/static/dashboard.css` (a file, so the page CSP needs no
 * `unsafe-inline`). Colour pairs are chosen for at least 4.5:1 contrast; every status also has a
 * text label and a symbol, never colour alone.
 */
export const DASHBOARD_CSS = `
:root { color: #1b1b1b; background: #ffffff; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0; overflow-wrap: anywhere; }
a { color: #0b57d0; }
a:visited { color: #6a1b9a; }
:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0; background: #ffffff; padding: .5rem 1rem; }
.skip:focus { left: .5rem; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1.5rem; border-bottom: 1px solid #8a8a8a; background: #f4f6f8; }
header .brand { margin: 0; font-weight: 600; }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #c4c4c4; vertical-align: top; }
th { background: #eef1f4; }
dl.counts { display: grid; grid-template-columns: max-content max-content; gap: .2rem 1rem; margin: 0; }
dl.counts dt { font-weight: 600; }
dl.counts dd { margin: 0; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .25rem; font-size: .9rem; white-space: nowrap; }
.badge-drift { background: #fde8c8; color: #6b3a00; }
.badge-in-sync, .badge-ok { background: #dff3e4; color: #0b5224; }
.badge-warning { background: #fff3bf; color: #5c4400; }
.badge-fail { background: #fde2e1; color: #8a1c14; }
.muted { color: #555555; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: .75rem; }
form.filters label, #token-form label { display: block; font-size: .9rem; font-weight: 600; }
input, select, button { font: inherit; }
input, select { border: 1px solid #6b6b6b; border-radius: .25rem; padding: .25rem .4rem; background: #ffffff; color: #1b1b1b; }
button { border: 1px solid #0b57d0; border-radius: .25rem; padding: .3rem .8rem; background: #0b57d0; color: #ffffff; cursor: pointer; }
button.secondary { background: #ffffff; color: #0b57d0; }
button:disabled { background: #d0d0d0; border-color: #8a8a8a; color: #3b3b3b; cursor: not-allowed; }
#token-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
#token-form input { max-width: 100%; }
#token-form[hidden], .js-only[hidden] { display: none; }
/* Notices are toasts: fixed in view while the page scrolls, until the next action or Dismiss. */
#notices { position: fixed; right: 1rem; bottom: 1rem; z-index: 10; display: flex; flex-direction: column;
  gap: .5rem; max-width: min(28rem, calc(100vw - 2rem)); }
.notice { display: flex; gap: .75rem; align-items: start; justify-content: space-between; padding: .5rem .75rem;
  border-radius: .25rem; margin: 0; border: 1px solid currentColor; box-shadow: 0 2px 6px rgb(0 0 0 / 25%); }
.notice p { margin: 0; }
.notice button { flex: none; padding: 0 .5rem; background: #ffffff; color: inherit; border-color: currentColor; }
.notice-success { background: #dff3e4; color: #0b5224; }
.notice-error { background: #fde2e1; color: #8a1c14; }
.notice-info { background: #e3ecfb; color: #0b3a82; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.ws { color: #8a1c14; background: #fde2e1; border-radius: .15rem; }
.whitespace-only td { white-space: pre-wrap; }
.read-back { margin-top: 1rem; }
@media (max-width: 40rem) {
  header { padding: .5rem .75rem; }
  main { padding: .75rem .75rem 3rem; }
  #progress-region { margin: .5rem .75rem; }
  .grid { grid-template-columns: minmax(0, 1fr); }
  dl.counts { grid-template-columns: minmax(0, max-content) minmax(0, 1fr); }
}
#progress-region { margin: .5rem 1.5rem; }
progress { width: 20rem; max-width: 100%; height: 1rem; }
nav.pages { display: flex; gap: 1rem; align-items: center; margin-top: .75rem; }
pre { background: #f4f6f8; padding: .75rem; overflow: auto; border: 1px solid #c4c4c4; white-space: pre-wrap; }
iframe.preview { width: 100%; min-height: 16rem; border: 1px solid #8a8a8a; background: #ffffff; }
img.photo { max-width: min(12rem, 100%); max-height: 12rem; border: 1px solid #c4c4c4; }
.actions-bar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: .75rem 0; }
`;
