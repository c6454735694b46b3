/*
 * The dashboard's script besides htmx (and copy.js): copy buttons, bulk selection,
 * toasts, reading a chosen CSV file into the import box, and schedule rows.
 * Everything works through data- attributes and event delegation, so
 * fragments htmx swaps in need no wiring. Pages still work without it.
 */
(function () {
  'use strict';

  if (window.htmx) {
    // Validation errors (422), refusals (403/404), limits (429) and storage that
    // cannot take a write (503: a full disk) come with an HTML body meant to be
    // shown; htmx drops 4xx and 5xx bodies unless told otherwise.
    window.htmx.config.responseHandling = [
      { code: '204', swap: false },
      { code: '[23]..', swap: true },
      { code: '(400|403|404|409|413|422|429|503)', swap: true },
      { code: '[45]..', swap: false, error: true },
    ];
  }

  var TOAST_MS = 5000;

  // a toast goes after a while, but not while it is being read: under the pointer, or with the focus in it
  function fade(item) {
    setTimeout(function check() {
      var box = item.parentElement;
      if (box && (box.matches(':hover') || box.contains(document.activeElement))) return setTimeout(check, 1000);
      item.remove();
    }, TOAST_MS);
  }

  function toast(message, kind) {
    var box = document.getElementById('toast');
    if (!box || !message) return;
    // the same message again (a button pressed twice) replaces the one showing rather than stacking a copy
    for (var i = box.children.length - 1; i >= 0; i--) if (box.children[i].getAttribute('data-message') === message) box.children[i].remove();
    var item = document.createElement('div');
    item.className = kind === 'error' ? 'error' : 'ok';
    item.setAttribute('data-message', message);
    var text = document.createElement('span');
    text.textContent = message;
    item.appendChild(text);
    box.appendChild(item);
    placeToasts();
    settle(item);
  }
  // a failure says what to do: it stays until dismissed, for whoever reads slowly or was looking elsewhere
  function settle(item) {
    if (!item.classList.contains('error')) return fade(item);
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', function () {
      var hadFocus = item.contains(document.activeElement);
      item.remove();
      // the focus goes back where it was before the keyboard went to the toast, not to the page's top
      if (hadFocus) (beforeToast && document.contains(beforeToast) ? beforeToast : document.getElementById('main')).focus();
    });
    item.appendChild(close);
  }
  var beforeToast = null;
  document.addEventListener('focusin', function (e) {
    var box = document.getElementById('toast');
    if (box && !box.contains(e.target)) beforeToast = e.target;
  });

  // a toast in its corner must not hide the focused control (the button just pressed in a row near the
  // window's bottom, or one reached by Tab while it shows): then it goes to the top, under the bar
  function placeToasts() {
    var box = document.getElementById('toast');
    var active = document.activeElement;
    // its own Dismiss button focused: it stays where it is (moving it would take the button from under the pointer)
    if (!box || box.contains(active)) return;
    box.classList.remove('top');
    if (!box.children.length || !active || active === document.body) return;
    var a = active.getBoundingClientRect();
    var b = box.getBoundingClientRect();
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) box.classList.add('top');
  }
  document.addEventListener('focusin', placeToasts);
  window.addEventListener('scroll', placeToasts, { passive: true });

  // HX-Trigger: {"toast":{"message":"…"}} from the server
  document.addEventListener('toast', function (e) {
    var d = e.detail || {};
    toast(d.message || d.value, d.kind);
  });
  // HX-Trigger: {"gone":{"value":["key-5"]}} — objects were deleted: panels about them (data-shows) go too
  document.addEventListener('gone', function (e) {
    var ids = (e.detail || {}).value;
    if (!Array.isArray(ids)) return;
    document.querySelectorAll('[data-shows]').forEach(function (el) {
      if (ids.indexOf(el.getAttribute('data-shows')) !== -1) el.remove();
    });
  });
  document.addEventListener('htmx:responseError', function (e) {
    toast('Something went wrong (' + e.detail.xhr.status + '). Please try again.', 'error');
  });
  document.addEventListener('htmx:sendError', function () {
    toast('The server could not be reached. Check your connection and try again.', 'error');
  });
  // messages the server swaps into #toast itself (HX-Retarget) go, or stay, like the others
  document.addEventListener('htmx:afterSwap', function (e) {
    if (e.detail.target && e.detail.target.id === 'toast') {
      placeToasts();
      Array.prototype.forEach.call(e.detail.target.children, settle);
    }
    updateSelection();
  });

  // ---- a double click on a button that flips a state (pause/activate) is one click: the row is redrawn
  // before the second lands, which would press the new button and undo the first ----
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-single-click]');
    if (button && e.detail > 1) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);

  // ---- a select that acts when changed (data-save-on-commit: a user's role and plan, the links' status filter) acts on a keyboard
  // choice on Enter or on leaving it: an arrow key on a closed select changes its value at once, so
  // stepping through the options saved each one (one ArrowDown made a member an admin). A choice made
  // with the mouse, or in the opened list, saves at once ----
  var SELECT_SAVES = 'select[data-save-on-commit]';
  var OPENS_LIST = ['Tab', 'Enter', ' ', 'F4', 'Escape', 'Shift', 'Alt', 'Control', 'Meta'];
  // the value last sent: the page's, until a change went through (a select outside what htmx redraws,
  // the links list's status filter, keeps its page's default)
  function savedValue(select) {
    if (select.hasAttribute('data-saved')) return select.getAttribute('data-saved');
    for (var i = 0; i < select.options.length; i++) if (select.options[i].defaultSelected) return select.options[i].value;
    return select.options.length ? select.options[0].value : '';
  }
  function commitChoice(select) {
    if (!select.hasAttribute('data-keyed')) return;
    select.removeAttribute('data-keyed');
    // back where it was saved: nothing to send
    if (select.value !== savedValue(select)) select.dispatchEvent(new Event('change', { bubbles: true }));
  }
  document.addEventListener('change', function (e) {
    if (e.target.matches && e.target.matches(SELECT_SAVES)) e.target.setAttribute('data-saved', e.target.value);
  });
  document.addEventListener('keydown', function (e) {
    var select = e.target.matches && e.target.matches(SELECT_SAVES) ? e.target : null;
    if (!select) return;
    if (e.key === 'Enter') commitChoice(select);
    else if (OPENS_LIST.indexOf(e.key) < 0 && !e.altKey) select.setAttribute('data-keyed', '');
  }, true);
  document.addEventListener('change', function (e) {
    if (e.target.matches && e.target.matches(SELECT_SAVES) && e.target.hasAttribute('data-keyed')) e.stopPropagation();
  }, true);
  document.addEventListener('focusout', function (e) {
    if (e.target.matches && e.target.matches(SELECT_SAVES)) commitChoice(e.target);
  }, true);

  // ---- copy to clipboard (public/js/copy.js) ----
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-copy]');
    if (!button) return;
    e.preventDefault();
    window.shrinkrayCopy(button.getAttribute('data-copy')).then(
      function () {
        button.classList.add('copied');
        setTimeout(function () { button.classList.remove('copied'); }, 1500);
        toast('Copied to the clipboard.');
      },
      function () { toast('Could not copy; select the text and copy it by hand.', 'error'); }
    );
  });

  // The bookmarklet is for the bookmarks bar: clicked here the page's CSP refuses to run it (and
  // would log that), so say what it is for instead
  document.addEventListener('click', function (e) {
    if (!(e.target.closest && e.target.closest('[data-bookmarklet]'))) return;
    e.preventDefault();
    toast('Drag this button to your bookmarks bar, then click the bookmark on the page you want to shorten.');
  });

  // ---- bulk selection ----
  function updateSelection() {
    var boxes = document.querySelectorAll('[data-select]');
    var checked = 0;
    boxes.forEach(function (b) { if (b.checked) checked++; });
    document.querySelectorAll('[data-select-all]').forEach(function (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    });
    document.querySelectorAll('[data-selected-count]').forEach(function (el) {
      var text = checked ? checked + ' selected' : 'Select links to act on several at once';
      // a live region: rewriting the same hint after every redraw had it read out after each search, sort and pause
      if (el.textContent !== text) el.textContent = text;
    });
    document.querySelectorAll('[data-bulk]').forEach(function (b) { b.disabled = checked === 0; });
  }

  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.matches('[data-select-all]')) {
      document.querySelectorAll(t.getAttribute('data-select-all')).forEach(function (b) { b.checked = t.checked; });
    }
    if (t.matches('[data-select-all], [data-select]')) updateSelection();
    if (t.matches('input[type=file][data-csv-into]')) readCsv(t);
  });

  // ---- CSV import: the chosen file goes into the textarea ----
  var MAX_CSV_BYTES = 4 * 1024 * 1024;
  var MAX_SENT_BYTES = 7 * 1024 * 1024; // src/web/dashboard-kit.ts reads dashboard forms up to this
  function readCsv(input) {
    var file = input.files && input.files[0];
    var target = document.querySelector(input.getAttribute('data-csv-into'));
    if (!file || !target) return;
    if (file.size > MAX_CSV_BYTES) {
      toast('That file is larger than 4 MB; split it into smaller files.', 'error');
      input.value = '';
      return;
    }
    file.text().then(function (text) {
      // sent as a form field, percent-encoded: non-Latin text grows up to 9 times; past the server's limit it would be refused
      if (encodeURIComponent(text).length > MAX_SENT_BYTES) {
        toast(file.name + ' is too large to send at once (' + (encodeURIComponent(text).length / 1048576).toFixed(1) + ' MB encoded, at most 7 MB); split it into smaller files.', 'error');
        input.value = '';
        return;
      }
      target.value = text;
      var rows = text.split(/\r\n|\n|\r/).filter(function (l) { return l.trim() !== ''; }).length;
      toast(file.name + ': ' + rows + (rows === 1 ? ' line' : ' lines') + ' ready to import.');
    });
  }

  // ---- schedule rows ----
  document.addEventListener('click', function (e) {
    var add = e.target.closest && e.target.closest('[data-add-row]');
    if (add) {
      var list = document.querySelector(add.getAttribute('data-add-row'));
      var template = document.querySelector(add.getAttribute('data-template'));
      if (!list || !template) return;
      var index = Number(list.getAttribute('data-next-index') || list.children.length);
      list.setAttribute('data-next-index', String(index + 1));
      // the template is our own server-rendered markup; only the index changes
      list.insertAdjacentHTML('beforeend', template.innerHTML.split('__i__').join(String(index)));
      var first = list.lastElementChild && list.lastElementChild.querySelector('input');
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest && e.target.closest('[data-remove-row]');
    if (remove) {
      var row = remove.closest('[data-row]');
      var next = row && (row.nextElementSibling || row.previousElementSibling);
      var list = row && row.parentElement;
      if (row) row.remove();
      // the next row's first field, or with none left the button that adds one (not the top of the page)
      var focus = (next && next.querySelector('input')) || (list && list.id && document.querySelector('[data-add-row="#' + list.id + '"]'));
      if (focus) focus.focus();
    }
  });

  // ---- what a swap brings is news a screen reader is not told of: a live region inserted with its text
  // already in it is not read out. A status that arrives with a swap (data-announce: a row's "Saved.") is
  // repeated in #announcer, and a view redrawn by a GET (a search, a sort, another page or date range)
  // says what it now shows (data-view-summary); a POST's redraw has its toast instead ----
  var announceTimer;
  function announce(text) {
    var box = document.getElementById('announcer');
    if (!box || !text) return;
    box.textContent = '';
    clearTimeout(announceTimer);
    // set a moment after clearing, so the same words twice in a row are read twice
    announceTimer = setTimeout(function () { box.textContent = text; }, 100);
  }
  document.addEventListener('htmx:afterSettle', function (e) {
    var target = e.detail.target;
    var root = target && (target.isConnected ? target : (target.id && document.getElementById(target.id)) || null);
    if (!root) return;
    var get = e.detail.requestConfig && e.detail.requestConfig.verb === 'get';
    var found = [root].concat(Array.prototype.slice.call(root.querySelectorAll('[data-announce], [data-view-summary]')));
    var said = [];
    found.forEach(function (el) {
      if (el.hasAttribute('data-announce') && el.textContent.trim()) said.push(el.textContent.trim());
      if (get && el.getAttribute('data-view-summary')) said.push(el.getAttribute('data-view-summary'));
    });
    if (said.length) announce(said.join(' '));
  });

  // ---- an error slot a live check fills or empties as the person types (the QR designer's preview): the
  // inputs it describes are invalid while it says something ----
  document.addEventListener('htmx:afterSettle', function () {
    document.querySelectorAll('[data-error-slot][id]').forEach(function (slot) {
      var said = slot.textContent.trim() !== '';
      document.querySelectorAll('[aria-describedby~="' + slot.id + '"]').forEach(function (input) {
        if (said) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      });
    });
  });

  // ---- a confirmation that must not be missed (a link created, a key or password shown once) takes the
  // focus when it arrives, by a page load or a form's swap: read at once, and Tab goes on to its copy button ----
  function focusConfirmation(root) {
    var done = root.querySelector('[data-confirmation]');
    if (!done) return;
    done.setAttribute('tabindex', '-1');
    done.focus();
  }

  // ---- a refused form: the summary of its refusals, or the first field in error (or the form's alert) takes the focus, so a keyboard or
  // screen-reader user lands on what to fix, its message read with it (aria-describedby); with nothing
  // refused, a confirmation does ----
  function focusProblem(root) {
    // several refused: the summary first, whose links lead to each field
    var summary = root.querySelector('[data-error-summary]');
    if (summary) {
      summary.setAttribute('tabindex', '-1');
      summary.focus();
      return;
    }
    var field = root.querySelector('[aria-invalid="true"]:not([disabled])');
    if (field) return field.focus();
    var alert = root.querySelector('.alert[role="alert"]');
    if (alert) {
      alert.setAttribute('tabindex', '-1');
      alert.focus();
      return;
    }
    focusConfirmation(root);
  }
  document.addEventListener('htmx:afterSwap', function (e) {
    var cfg = e.detail.requestConfig;
    var target = e.detail.target;
    // only after a submit: the live previews swap errors in while the person is still typing
    if (!cfg || !cfg.triggeringEvent || cfg.triggeringEvent.type !== 'submit' || !target) return;
    // an outerHTML swap hands over the element it replaced: look in its successor (same id), else the page
    var root = target.isConnected ? target : (target.id && document.getElementById(target.id)) || document;
    focusProblem(root);
  });

  // ---- a swap that took the focused control away (a deleted row, a redrawn table, an import's result)
  // left the focus at the top of the page, so the next Tab started over from "Skip to content": the
  // focus goes to what was redrawn instead ----
  // a row deleted from a table (the links list redraws the whole table): its neighbours, remembered when the
  // request leaves, so the focus can go on to the next row (the previous, for the last) and not to the table
  var leftRow = null;
  document.addEventListener('htmx:beforeRequest', function (e) {
    var row = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest('tr[id]');
    leftRow = row ? { id: row.id, next: row.nextElementSibling && row.nextElementSibling.id, prev: row.previousElementSibling && row.previousElementSibling.id } : null;
  });
  function focusNeighbour() {
    var left = leftRow;
    leftRow = null;
    if (!left || document.getElementById(left.id)) return false;
    var row = (left.next && document.getElementById(left.next)) || (left.prev && document.getElementById(left.prev));
    // its pause/activate button, where a delete button's neighbour is; else its first action
    var control = row && (row.querySelector('[id^="toggle-"]') || row.querySelector('.row-actions button, .row-actions a, td.actions button, td.actions a'));
    if (!control) return false;
    control.focus();
    return true;
  }

  document.addEventListener('htmx:afterSettle', function (e) {
    var active = document.activeElement;
    if (active && active !== document.body) return;
    var target = e.detail.target;
    if (!target || target.id === 'toast') return;
    if (focusNeighbour()) return;
    // a button whose redrawn row has no button of its id names the one to go to (Reactivate, revoke keys
    // → Deactivate, as plain Reactivate does by sharing its id)
    var cfg = e.detail.requestConfig;
    var pressed = cfg && cfg.triggeringEvent && cfg.triggeringEvent.submitter;
    var next = pressed && pressed.getAttribute('data-then-focus') && document.getElementById(pressed.getAttribute('data-then-focus'));
    if (next) return next.focus();
    var root = target.isConnected ? target : (target.id && document.getElementById(target.id)) || document.getElementById('main');
    if (!root) return;
    if (!root.hasAttribute('tabindex')) root.setAttribute('tabindex', '-1');
    root.focus({ preventScroll: true });
  });

  // Enter in a search box: htmx already searches (its "search" trigger); the form must not also reload the
  // page (the focus would fall to the top). Browsers without the search event get it dispatched.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.matches || !form.matches('form[role="search"]')) return;
    var input = form.querySelector('input[type="search"][hx-get]');
    if (!input || !window.htmx) return;
    e.preventDefault();
    if (!('onsearch' in input)) input.dispatchEvent(new Event('search'));
  });

  // ---- a plain form sends once: a second click or Enter before the answer arrives made a second link, QR
  // code or user (htmx forms are left to htmx, which has already taken their submit). A form still on the
  // page after a while was answered without leaving it (a download) or failed: it may be sent again ----
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.matches || (form.getAttribute('method') || '').toLowerCase() !== 'post' || form.target) return;
    if (form.hasAttribute('data-sending')) {
      e.preventDefault();
      return;
    }
    form.setAttribute('data-sending', '');
    if (e.submitter) e.submitter.setAttribute('aria-busy', 'true');
    setTimeout(function () { sendable(form); }, 10000);
  });
  function sendable(form) {
    form.removeAttribute('data-sending');
    form.querySelectorAll('[aria-busy]').forEach(function (b) { b.removeAttribute('aria-busy'); });
  }
  // Back to a page kept whole by the browser: its forms may be sent again
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) document.querySelectorAll('form[data-sending]').forEach(sendable);
  });

  // ---- a one-time banner (a link created or saved, a QR code deleted) is said once: its marker leaves the
  // address, so a reload or a bookmark does not announce it again ----
  function forgetBanner() {
    var url = new URL(location.href);
    var had = false;
    ['created', 'saved', 'deleted'].forEach(function (k) {
      if (url.searchParams.has(k)) {
        url.searchParams.delete(k);
        had = true;
      }
    });
    if (had) history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }

  // ---- a page whose object is gone (a QR code deleted from its designer) is replaced, not left behind in the
  // history: Back would return to its address, now a 404 (the server names the page: HX-Trigger) ----
  document.addEventListener('replaceLocation', function (e) {
    if (e.detail && typeof e.detail.value === 'string' && e.detail.value.charAt(0) === '/') location.replace(e.detail.value);
  });

  function ready() {
    forgetBanner();
    updateSelection();
    if (document.activeElement === document.body || !document.activeElement) focusProblem(document);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
