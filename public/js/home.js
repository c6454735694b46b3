// The public home page's one enhancement: the Copy button beside a new short link. The page works without
// it (the link is plain text to select), so the button is shown only once this script runs.
(function () {
  'use strict';
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // plain-http LAN installs have no Clipboard API: fall back to a selection
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.className = 'sr-only';
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand('copy');
      area.remove();
      ok ? resolve() : reject(new Error('copy failed'));
    });
  }
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    var status = document.getElementById(button.getAttribute('aria-describedby'));
    button.hidden = false;
    button.addEventListener('click', function () {
      copyText(button.getAttribute('data-copy')).then(
        function () { status.textContent = 'Copied to the clipboard.'; },
        function () { status.textContent = 'Could not copy: select the link and copy it by hand.'; }
      );
    });
  });
})();
