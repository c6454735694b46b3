// The public home page's one enhancement: the Copy button beside a new short link. The page works without
// it (the link is plain text to select), so the button is shown only once this script runs. The copying
// itself is public/js/copy.js's, shared with the dashboard.
(function () {
  'use strict';
  // the result came with a whole page: a screen reader starts at its top, and reads the new link only
  // once focus is taken there
  var result = document.getElementById('result');
  if (result) result.focus();
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    var status = document.getElementById(button.getAttribute('aria-describedby'));
    button.hidden = false;
    button.addEventListener('click', function () {
      window.shrinkrayCopy(button.getAttribute('data-copy')).then(
        function () { status.textContent = 'Copied to the clipboard.'; },
        function () { status.textContent = 'Could not copy: select the link and copy it by hand.'; }
      );
    });
  });
})();
