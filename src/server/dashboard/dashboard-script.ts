/**
 * The dashboard's only script, served as `/static/dashboard.js`. Read-only pages work without it;
 * it adds the actions. The API token lives in `sessionStorage` (this tab only) and travels in the
 * Authorization header, never in a URL or cookie, so it cannot leak through history, referrers or
 * cross-site requests. Progress comes over server-sent events.
 */
export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  var KEY = 'roster.apiToken';
  var busy = false;
  function $(id) { return document.getElementById(id); }
  document.querySelectorAll('.js-only').forEach(function (el) { el.hidden = false; });

  // Notices are toasts that stay until the next action starts (clearNotices) or Dismiss.
  function notice(kind, text) {
    var box = $('notices');
    var toast = document.createElement('div');
    toast.className = 'notice notice-' + kind;
    toast.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    var p = document.createElement('p');
    p.className = 'notice-text';
    p.textContent = (kind === 'error' ? '\u2717 ' : kind === 'info' ? '\u2139 ' : '\u2713 ') + text;
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Dismiss';
    close.setAttribute('aria-label', 'Dismiss notice');
    close.addEventListener('click', function () { toast.remove(); });
    toast.append(p, close);
    box.replaceChildren(toast);
  }
  function clearNotices() { $('notices').replaceChildren(); }

  function authHeaders() {
    var headers = { 'content-type': 'application/json' };
    var token = sessionStorage.getItem(KEY);
    if (token) headers.authorization = 'Bearer ' + token;
    return headers;
  }

  function refusal(res, body) {
    var message = body && body.error ? body.error.message : 'HTTP ' + res.status;
    var hint = res.status === 401 || res.status === 403 ? ' Enter a valid API token above.' : '';
    return 'Refused: ' + message + '.' + hint;
  }

  function showTokenState() {
    var state = $('token-state');
    if (state) state.textContent = sessionStorage.getItem(KEY) ? 'Token set for this tab' : 'No token set';
  }

  var form = $('token-form');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = $('api-token');
      var value = input.value.trim();
      if (value) sessionStorage.setItem(KEY, value);
      input.value = '';
      showTokenState();
    });
    $('token-clear').addEventListener('click', function () {
      sessionStorage.removeItem(KEY);
      showTokenState();
    });
    showTokenState();
  }

  function setBusy(value) {
    busy = value;
    document.querySelectorAll('button[data-action]').forEach(function (b) { b.disabled = value; });
  }

  function showProgress(done, total, line) {
    var region = $('progress-region');
    var bar = $('apply-progress');
    region.hidden = false;
    bar.max = Math.max(1, total);
    bar.value = done;
    var percent = total > 0 ? Math.round((done / total) * 100) : 100;
    $('progress-text').textContent = done + ' of ' + total + ' employees (' + percent + ' %)' + (line ? ': ' + line : '');
  }

  function finish(summary) {
    setBusy(false);
    if (summary.error) { notice('error', 'Apply failed: ' + summary.error); return; }
    var r = summary.result;
    showProgress(r.total, r.total, '');
    var stopped = r.results.filter(function (x) { return x.outcome === 'stopped'; });
    if (stopped.length > 0) {
      notice('error', 'Stopped by a guardrail before any write (' + stopped.length + ' of ' + r.total + '): ' + (stopped[0].message || 'see the status page'));
    } else if (r.failed > 0) {
      notice('error', r.applied + ' applied, ' + r.failed + ' failed of ' + r.total + '. Reload to see the new state.');
    } else {
      notice('success', 'Done: ' + r.applied + ' of ' + r.total + ' employees applied. Reload to see the new state.');
    }
  }

  function follow(jobId, total) {
    showProgress(0, total, 'starting');
    var source = new EventSource('/actions/' + encodeURIComponent(jobId) + '/events');
    source.addEventListener('progress', function (event) {
      var p = JSON.parse(event.data);
      showProgress(p.done, p.total, p.email + ' ' + p.outcome);
    });
    source.addEventListener('complete', function (event) {
      source.close();
      finish(JSON.parse(event.data));
    });
  }

  function apply(emails) {
    if (busy) return;
    clearNotices();
    if (emails.length === 0) { notice('error', 'Select at least one employee first.'); return; }
    setBusy(true);
    fetch('/actions/apply', { method: 'POST', headers: authHeaders(), body: JSON.stringify({ emails: emails }) })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (!res.ok) {
            setBusy(false);
            notice('error', refusal(res, body));
            return;
          }
          follow(body.jobId, emails.length);
        });
      })
      .catch(function () {
        setBusy(false);
        notice('error', 'Could not reach the controller.');
      });
  }

  function readBack(email) {
    if (busy) return;
    clearNotices();
    setBusy(true);
    fetch('/employees/' + encodeURIComponent(email) + '/read-back', { method: 'POST', headers: authHeaders(), body: '{}' })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          setBusy(false);
          if (!res.ok) { notice('error', refusal(res, body)); return; }
          window.RosterReadBack.show($('read-back'), body);
          notice('success', 'Read back from Microsoft at ' + body.readAt + '.');
        });
      })
      .catch(function () {
        setBusy(false);
        notice('error', 'Could not reach the controller.');
      });
  }
  document.querySelectorAll('button[data-action="read-back"]').forEach(function (button) {
    button.addEventListener('click', function () { readBack(button.getAttribute('data-email')); });
  });

  document.querySelectorAll('button[data-action="apply-one"]').forEach(function (button) {
    button.addEventListener('click', function () { apply([button.getAttribute('data-email')]); });
  });
  var selected = function () {
    return Array.prototype.map.call(document.querySelectorAll('input[name="select"]:checked'), function (c) { return c.value; });
  };
  var batch = document.querySelector('button[data-action="apply-selected"]');
  if (batch) batch.addEventListener('click', function () { apply(selected()); });
  var all = $('select-all');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('input[name="select"]').forEach(function (c) { c.checked = all.checked; });
    });
  }
})();
`;
