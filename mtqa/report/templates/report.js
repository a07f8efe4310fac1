'use strict';
// mtqa review page: filters, order, flag list, verdicts (kept in localStorage), CSV export.
// Every piece of text this script adds to the page goes through textContent, never HTML.
document.addEventListener('DOMContentLoaded', function () {
  const $ = (id) => document.getElementById(id);
  const main = $('docs'), flat = $('flat'), run = $('run'), q = $('q'), fl = $('flagged'),
    todo = $('todo'), sev = $('sev'), grp = $('grp'), sort = $('sort'), st = $('status'),
    prog = $('progress'), help = $('help');
  const KEY = 'mtqa-verdicts|' + run.dataset.sig + '|' + run.dataset.hash;
  const LABEL = {'correct': '✓ correct flag', 'false-alarm': '✗ false alarm', 'fixed': '✎ fixed: '};
  const MARK = {'correct': '✓', 'false-alarm': '✗', 'fixed': '✎'};
  const COLS = ['doc_id', 'sent_id', 'span_start', 'span_end', 'span_text', 'severity', 'source',
    'score', 'suggested', 'suggestion', 'gain_bits', 'verdict', 'fixed_text', 'reason'];
  const TEXT_COLS = new Set(['doc_id', 'span_text', 'source', 'suggestion', 'fixed_text', 'reason']);

  // The exact value: a JSON-escaped data attribute where the page shows stand-ins, else the text.
  function exact(el, name, sel) {
    const a = el.dataset[name];
    if (a !== undefined) return JSON.parse('"' + a + '"');
    const e = sel ? el.querySelector(sel) : el;
    return e ? e.textContent : '';
  }
  function bdi(text) {
    const b = document.createElement('bdi');
    b.textContent = text;
    return b;
  }

  // ---- the page's content, read once -------------------------------------------------------
  const docs = Array.from(main.querySelectorAll('section.doc'));
  const sents = [], issues = [], byK = {};
  docs.forEach((d) => {
    d._id = exact(d, 'id', 'h2 .did');
    d._label = d.querySelector('h2 .did').textContent;
    d._sents = Array.from(d.querySelectorAll('.sent'));
    d._sents.forEach((s) => {
      s._doc = d;
      s._score = +s.dataset.score;
      s._i = +s.dataset.i;
      s._issues = Array.from(s.querySelectorAll('li.issue'));
      s._issues.forEach((el) => {
        el._sent = s;
        el.tabIndex = -1;  // focusable by the script (the current flag), not a Tab stop
        issues.push(el);
        byK[el.dataset.k] = el;
      });
      sents.push(s);
    });
  });

  // ---- verdicts, kept in the browser per run (signature + content hash) --------------------
  let store = {}, storage = null;
  try {
    storage = window.localStorage;
    const saved = JSON.parse(storage.getItem(KEY) || '{}');
    Object.keys(saved).forEach((k) => {
      const v = saved[k];
      if (byK[k] && v && LABEL[v.v] && (v.v !== 'fixed' || typeof v.t === 'string')) store[k] = v;
    });
  } catch (e) {
    storage = null;
  }
  function save() {
    if (!storage) return;
    try { storage.setItem(KEY, JSON.stringify(store)); } catch (e) { /* full: export still works */ }
  }

  // ---- side panel: every flag under its check and severity; the documents ------------------
  const groupOl = {};
  document.querySelectorAll('#groups details').forEach((det) => {
    const g = det.dataset.g, cut = g.lastIndexOf('|');
    groupOl[g] = det.querySelector('ol.gl');
    const opt = document.createElement('option');
    opt.value = g;
    opt.textContent = g.slice(cut + 1) + ' · ' + g.slice(0, cut) + ' (' +
      det.querySelector('summary .c').textContent + ')';
    grp.appendChild(opt);
  });
  issues.forEach((el) => {
    const ol = groupOl[el.dataset.g];
    if (!ol) return;
    const li = document.createElement('li'), vm = document.createElement('span'),
      a = document.createElement('a');
    vm.className = 'vm';
    a.href = '#k' + el.dataset.k;
    if (docs.length > 1) a.append(bdi(el._sent._doc._label), ' ');
    a.append('#' + el._sent._i + ' ', bdi(el.querySelector('.w').textContent));
    a.addEventListener('click', (e) => { e.preventDefault(); select(el, true); });
    li.append(vm, a);
    ol.appendChild(li);
    el._nav = li;
    el._vm = vm;
  });
  let docOnly = null, query = '';
  document.querySelectorAll('#doclist a').forEach((a) => {
    const d = docs[+a.dataset.d];
    if (!d) return;
    d._nav = a.parentNode;
    d._rv = a.parentNode.querySelector('.rv');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      docOnly = docOnly === d ? null : d;
      apply(true);
      const first = shown()[0];
      if (docOnly && first) select(first, true); else d.scrollIntoView({block: 'start'});
    });
  });

  // ---- showing a verdict and the progress ---------------------------------------------------
  function paint(el) {
    const v = store[el.dataset.k], vd = el.querySelector('.vd');
    el.classList.remove('v-correct', 'v-false-alarm', 'v-fixed');
    vd.textContent = '';
    if (v) {
      el.classList.add('v-' + v.v);
      vd.append(LABEL[v.v]);
      if (v.v === 'fixed') vd.append(v.t === '' ? '(delete the span)' : bdi(v.t));
    }
    if (el._vm) {
      el._vm.className = 'vm' + (v ? ' v-' + v.v : '');
      el._vm.textContent = v ? MARK[v.v] : '';
    }
  }
  function progress() {
    const per = new Map();
    let n = 0;
    issues.forEach((el) => {
      if (!store[el.dataset.k]) return;
      n++;
      per.set(el._sent._doc, (per.get(el._sent._doc) || 0) + 1);
    });
    prog.textContent = n + ' of ' + issues.length + ' reviewed';
    docs.forEach((d) => {
      if (!d._rv) return;
      const m = +d._rv.dataset.n;
      d._rv.textContent = m ? '· ' + (per.get(d) || 0) + '/' + m + ' reviewed' : '';
    });
  }

  // ---- filters and order --------------------------------------------------------------------
  // "1 flag", "3 flags": a count and a regular noun in its number (mtqa.text.counted)
  function counted(n, noun) { return n + ' ' + noun + (n === 1 ? '' : 's'); }
  function haystack(s) {
    if (s._text === undefined) {
      const parts = [s._doc._label, s.querySelector('.text').textContent];
      s.querySelectorAll('.src,.fix,.why').forEach((e) => parts.push(e.textContent));
      s._text = parts.join('\n').toLowerCase();
    }
    return s._text;
  }
  function issueShown(el) {
    if (sev.value !== 'all' && !el.classList.contains(sev.value)) return false;
    if (grp.value && el.dataset.g !== grp.value) return false;
    return !(todo.checked && store[el.dataset.k]);
  }
  function apply(keep) {
    const byIssue = sev.value !== 'all' || grp.value !== '' || todo.checked;
    const docShown = new Set();
    let ns = 0, ni = 0;
    sents.forEach((s) => {
      let any = 0;
      s._issues.forEach((el) => { const on = issueShown(el); el.hidden = !on; any += on; });
      let show = (!docOnly || s._doc === docOnly) && (!query || haystack(s).includes(query));
      if (show && byIssue) show = any > 0;
      else if (show && fl.checked) show = !s.classList.contains('none');
      s.hidden = !show;
      if (show) { ns++; ni += any; docShown.add(s._doc); }
    });
    docs.forEach((d) => {
      d.hidden = !docShown.has(d);
      if (d._nav) d._nav.classList.toggle('on', d === docOnly);
    });
    Array.from(document.querySelectorAll('#groups summary')).forEach((sm) => {
      sm.classList.toggle('on', sm.parentNode.dataset.g === grp.value);
    });
    st.textContent = 'showing ' + ns + ' of ' + counted(sents.length, 'sentence') + ' in ' +
      docShown.size + ' of ' + counted(docs.length, 'document') + ', ' + counted(ni, 'flag') +
      (docOnly ? ' (one document: click it again in the list to show all)' : '');
    if (keep) keepView();
  }
  function keepView() {
    const p = new URLSearchParams();
    p.set('flagged', fl.checked ? '1' : '0');
    p.set('sev', sev.value);
    p.set('sort', sort.value);
    if (todo.checked) p.set('todo', '1');
    if (grp.value) p.set('grp', grp.value);
    if (query) p.set('q', q.value.trim());
    if (docOnly) p.set('doc', docOnly.dataset.i);
    history.replaceState(null, '', '#' + p.toString());
  }
  function label(s) {
    if (s._dl) return;
    s._dl = document.createElement('span');
    s._dl.className = 'dl';
    s._dl.append(bdi(s._doc._label), ' #' + s._i);
    s.querySelector('.body').prepend(s._dl);
  }
  function order() {
    const mode = sort.value, worst = mode === 'worst';
    main.classList.toggle('across', mode === 'across');
    if (mode === 'across') {
      sents.slice().sort((a, b) => (b._score - a._score) ||
        (a._doc.dataset.i - b._doc.dataset.i) || (a._i - b._i))
        .forEach((s) => { label(s); flat.appendChild(s); });
      return;
    }
    docs.slice().sort((a, b) => worst
      ? (b.dataset.worst - a.dataset.worst) || (a.dataset.i - b.dataset.i)
      : a.dataset.i - b.dataset.i)
      .forEach((d) => {
        main.appendChild(d);
        d._sents.slice().sort((a, b) => worst ? (b._score - a._score) || (a._i - b._i) : a._i - b._i)
          .forEach((s) => d.appendChild(s));
      });
  }

  // ---- the current flag, moving, verdicts ---------------------------------------------------
  let cur = null;
  const tools = document.createElement('div'), fixin = document.createElement('input');
  tools.id = 'tools';
  tools.hidden = true;
  [['correct', '✓ correct flag (c)'], ['false-alarm', '✗ false alarm (f)'],
    ['fixed', '✎ fixed text (x)'], ['', 'clear (u)']].forEach(([v, text]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.v = v;
    b.textContent = text;
    tools.appendChild(b);
  });
  fixin.type = 'text';
  fixin.id = 'fixin';
  fixin.dir = 'auto';
  fixin.hidden = true;
  fixin.setAttribute('aria-label', 'the corrected text of this span; Enter keeps it, Esc cancels');
  tools.appendChild(fixin);
  tools.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    e.stopPropagation();
    if (b.dataset.v === 'fixed') openFix(); else verdict(b.dataset.v);
  });
  fixin.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Enter') { e.preventDefault(); verdict('fixed', fixin.value); }
    else if (e.key === 'Escape') { e.preventDefault(); closeFix(); }
  });

  function marksOf(el) {
    return el._sent.querySelectorAll('mark[data-k~="' + el.dataset.k + '"]');
  }
  function select(el, scroll) {
    if (cur) {
      cur.classList.remove('cur');
      marksOf(cur).forEach((m) => m.classList.remove('cur'));
      if (cur._nav) cur._nav.classList.remove('cur');
    }
    cur = el;
    closeFix();
    if (!el) { tools.hidden = true; return; }
    el.classList.add('cur');
    marksOf(el).forEach((m) => m.classList.add('cur'));
    el.appendChild(tools);
    tools.hidden = false;
    el.focus({preventScroll: true});  // a screen reader reads the flag; Tab reaches its tools
    if (el._nav) el._nav.classList.add('cur');
    if (scroll) {
      el.scrollIntoView({block: 'center'});
      if (el._nav) el._nav.scrollIntoView({block: 'nearest'});
    }
  }
  function shown() {
    return Array.from(main.querySelectorAll('li.issue')).filter((el) => !el.hidden && !el._sent.hidden);
  }
  function step(dir, unreviewed) {
    let list = shown();
    if (unreviewed) list = list.filter((el) => el === cur || !store[el.dataset.k]);
    if (!list.length) return;
    let next;
    if (!cur) next = dir > 0 ? list[0] : list[list.length - 1];
    else if (list.indexOf(cur) >= 0) next = list[list.indexOf(cur) + dir];
    else {  // the current flag is filtered out now: the nearest one after (before) it
      const after = (el) => cur.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
      next = dir > 0 ? list.find(after) : list.filter((el) => !after(el)).pop();
    }
    if (next) select(next, true);
  }
  function openFix() {
    if (!cur) return;
    const v = store[cur.dataset.k];
    fixin.value = v && v.v === 'fixed' ? v.t
      : cur.querySelector('.sg,.del') ? exact(cur, 'sg', '.sg') : exact(cur, 't', '.w');
    fixin.hidden = false;
    fixin.focus();
    fixin.select();
  }
  function closeFix() {
    if (document.activeElement === fixin) fixin.blur();
    fixin.hidden = true;
  }
  function verdict(v, text) {
    if (!cur) { step(1); return; }
    const k = cur.dataset.k;
    if (v) store[k] = v === 'fixed' ? {v: v, t: text} : {v: v}; else delete store[k];
    save();
    paint(cur);
    progress();
    closeFix();
    if (!v) return;
    if (todo.checked) apply(false);
    step(1);
  }

  // ---- export: every flag, its verdict (empty: not reviewed); read by `mtqa review` --------
  function protect(cell) {  // spreadsheet formula guard, the rule of sentences.csv
    let i = 0;
    while (cell[i] === "'") i++;
    return i < cell.length && '=+-@\t\r'.includes(cell[i]) ? "'" + cell : cell;
  }
  function csvCell(col, value) {
    let s = String(value);
    if (TEXT_COLS.has(col)) s = protect(s);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function exportCsv() {
    const lines = [COLS.join(',')];
    issues.forEach((el) => {
      const s = el._sent, v = store[el.dataset.k] || {};
      const sg = el.querySelector('.sg') ? 'replace' : el.querySelector('.del') ? 'delete' : '';
      const row = {
        doc_id: s._doc._id, sent_id: s._i, span_start: el.dataset.s, span_end: el.dataset.e,
        span_text: exact(el, 't', '.w'), severity: el.classList.contains('major') ? 'major' : 'minor',
        source: el.querySelector('.src').textContent, score: el.dataset.sc, suggested: sg,
        suggestion: sg === 'replace' ? exact(el, 'sg', '.sg') : '', gain_bits: el.dataset.gain || '',
        verdict: v.v || '', fixed_text: v.v === 'fixed' ? v.t : '',
        reason: el.querySelector('.why').textContent,
      };
      lines.push(COLS.map((c) => csvCell(c, row[c])).join(','));
    });
    const blob = new Blob([lines.join('\r\n') + '\r\n'], {type: 'text/csv;charset=utf-8'});
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'verdicts-' + run.dataset.hash.slice(0, 8) + '.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // ---- wiring -------------------------------------------------------------------------------
  main.addEventListener('click', (e) => {
    const m = e.target.closest('mark[data-k]');
    const el = m ? byK[m.dataset.k.split(' ')[0]] : e.target.closest('li.issue');
    if (el && el !== cur) select(el, false);
  });
  let timer = 0;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = q.value.trim().toLowerCase(); apply(true); }, 120);
  });
  [fl, todo, sev, grp].forEach((c) => c.addEventListener('change', () => apply(true)));
  sort.addEventListener('change', () => { order(); apply(true); if (cur) select(cur, true); });
  $('export').addEventListener('click', exportCsv);
  const keys = {
    'j': () => step(1), 'k': () => step(-1), 'J': () => step(1, true),
    'c': () => verdict('correct'), 'f': () => verdict('false-alarm'),
    'x': () => { if (cur) openFix(); else step(1); }, 'u': () => verdict(''),
    '/': () => { q.focus(); q.select(); }, '?': () => { help.open = !help.open; },
  };
  // Only a text field keeps the letters: a checkbox, a select or a button clicked last (the
  // filters, the order) keeps the focus, and the keys must still act then.
  const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color']);
  function typing(t) {
    if (!t.closest) return false;
    if (t.closest('textarea,[contenteditable=""],[contenteditable=true]')) return true;
    return t.tagName === 'INPUT' && !NOT_TEXT.has(t.type);
  }
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape' && e.target.closest && e.target.closest('input,select,textarea')) {
      e.target.blur();
      return;
    }
    if (typing(e.target)) return;
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  });

  // ---- start: the view from the URL, the stored verdicts --------------------------------------
  const h = new URLSearchParams(location.hash.slice(1));
  fl.checked = h.get('flagged') === '1';
  todo.checked = h.get('todo') === '1';
  if (['all', 'major', 'minor'].includes(h.get('sev'))) sev.value = h.get('sev');
  if (['input', 'worst', 'across'].includes(h.get('sort'))) sort.value = h.get('sort');
  if (groupOl[h.get('grp')]) grp.value = h.get('grp');
  if (h.get('q')) { q.value = h.get('q'); query = q.value.trim().toLowerCase(); }
  if (docs[+h.get('doc')] && h.get('doc') !== null) docOnly = docs[+h.get('doc')];
  if (sort.value !== 'input') order();
  apply(false);
  issues.forEach(paint);
  progress();
  if (!storage) prog.title = 'this browser keeps no storage for this page: export before closing';
  const target = /^#k(\d+)$/.exec(location.hash);
  if (target && byK[target[1]]) select(byK[target[1]], true);
});
