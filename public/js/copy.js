/*
 * Copying text to the clipboard, for the dashboard's copy buttons and the
 * public page's: the Clipboard API where the page is a secure context, else
 * (plain-http LAN installs) a selection and execCommand. Loaded before the
 * page's own script, which calls window.shrinkrayCopy(text) -> Promise.
 */
(function () {
  'use strict';
  window.shrinkrayCopy = function (text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
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
  };
})();
