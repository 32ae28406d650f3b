/**
 * The dashboard's second script, served as `/static/live.js` before `/static/dashboard.js`: the
 * overview kept live over server-sent events (`GET /events` sends the connection and summary parts
 * rendered by the server, in the plan vocabulary, whenever they change; after a newer plan the
 * employee table's rows are fetched again with the page's filters), and the "Read back now"
 * result drawn with text nodes only (nothing the tenant holds is parsed as markup here).
 */
export const DASHBOARD_LIVE_JS = String.raw`'use strict';
(function () {
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function photoPart(photo) {
    var box = el('div');
    box.append(el('h3', 'Photo'));
    var current;
    if (photo.error) current = 'Could not read: ' + photo.error;
    else if (photo.current === null) current = 'No photo in the tenant.';
    else {
      var c = photo.current;
      current = 'Tenant photo, version ' + (c.etag || '(none)') + (c.contentType ? ', ' + c.contentType : '') +
        (c.width && c.height ? ', ' + c.width + ' \u00d7 ' + c.height : '') + '.';
    }
    box.append(el('p', 'Current: ' + current, { id: 'read-back-photo-current' }));
    box.append(el('p', photo.desiredUrl ? 'Desired: from HR, ' + photo.desiredUrl : 'Desired: no photo in HR (a tenant photo is never removed).'));
    if (photo.pending) box.append(el('p', 'Pending: ' + photo.pending));
    return box;
  }

  function signaturePart(sig) {
    var box = el('div');
    box.append(el('h3', 'Signature'));
    if (sig.error) { box.append(el('p', 'Could not read: ' + sig.error, { id: 'read-back-signature-error' })); return box; }
    var grid = el('div', null, { class: 'grid' });
    var current = el('div');
    current.append(el('h4', 'Current (tenant)'), el('pre', sig.currentText || '(empty)', { id: 'read-back-current-text' }));
    var desired = el('div');
    desired.append(el('h4', 'Desired'), el('pre', sig.desiredText, { id: 'read-back-desired-text' }));
    grid.append(current, desired);
    box.append(grid, el('h4', 'Current against desired (text)'));
    box.append(sig.textDiff ? el('pre', sig.textDiff, { class: 'diff', id: 'read-back-text-diff' }) : el('p', 'The same text.', { id: 'read-back-text-diff' }));
    var details = el('details');
    details.append(el('summary', 'Current against desired (HTML)'));
    details.append(sig.htmlDiff ? el('pre', sig.htmlDiff, { class: 'diff' }) : el('p', 'The same HTML.'));
    box.append(details);
    return box;
  }

  window.RosterReadBack = {
    show: function (section, body) {
      section.replaceChildren(el('h2', 'Read back now', { id: 'read-back-h' }));
      section.append(el('p', 'Read from Microsoft at ' + body.readAt + '; nothing was stored or written.', { class: 'muted' }));
      if (!body.matched) section.append(el('p', 'No tenant user matched: nothing to read.'));
      if (body.photo) section.append(photoPart(body.photo));
      if (body.signature) section.append(signaturePart(body.signature));
      section.hidden = false;
      section.focus();
    },
  };

  var connection = document.getElementById('live-connection');
  var summary = document.getElementById('live-summary');
  if (!connection || !summary || !window.EventSource) return;
  var tableShows = summary.getAttribute('data-planned-at') || '';

  // A newer plan: the employee table (this page's filters) is fetched again from the server and its
  // rows swapped in, unless the user has rows selected (their selection is not taken away).
  function refreshTable(plannedAt) {
    var body = document.querySelector('#employees tbody');
    if (!body || document.querySelector('input[name="select"]:checked')) return;
    tableShows = plannedAt;
    fetch(location.href, { headers: { accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error(String(res.status))); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var rows = doc.querySelector('#employees tbody');
        var count = doc.getElementById('employee-count');
        if (!rows) return;
        body.replaceChildren.apply(body, Array.prototype.slice.call(rows.childNodes).map(function (n) { return document.importNode(n, true); }));
        body.querySelectorAll('.js-only').forEach(function (node) { node.hidden = false; });
        var shown = document.getElementById('employee-count');
        if (count && shown) shown.textContent = count.textContent;
        document.body.setAttribute('data-table-plan', plannedAt);
      })
      .catch(function () { tableShows = ''; });
  }

  var source = new EventSource('/events');
  source.addEventListener('overview', function (event) {
    var data = JSON.parse(event.data);
    // Markup rendered and escaped by the server, as on page load.
    connection.innerHTML = data.html.connection;
    summary.innerHTML = data.html.summary;
    document.body.setAttribute('data-live', 'connected');
    var plannedAt = (data.overview && data.overview.plannedAt) || '';
    if (plannedAt && plannedAt !== tableShows) refreshTable(plannedAt);
  });
  source.addEventListener('error', function () { document.body.setAttribute('data-live', 'reconnecting'); });
})();
`;
