// The bridge page's delay, counted down where the reader can see it and stopped if they choose to stay
// (a meta refresh cannot be stopped). Without script, the page's <noscript> refresh does the same trip.
(function () {
  'use strict';
  var wait = document.getElementById('bridge-wait');
  var stay = document.getElementById('bridge-stay');
  if (!wait) return;
  var left = Number(wait.getAttribute('data-delay')) || 0;
  var target = wait.getAttribute('data-target');
  var timer = null;
  function say() {
    wait.textContent = 'Taking you there in ' + left + ' second' + (left === 1 ? '' : 's') + '…';
  }
  function tick() {
    left -= 1;
    if (left <= 0) {
      clearInterval(timer);
      // replace: Back from the destination returns to the page before the link, not to a page that leaves again
      window.location.replace(target);
      return;
    }
    say();
  }
  timer = setInterval(tick, 1000);
  if (stay) {
    stay.hidden = false;
    stay.addEventListener('click', function () {
      clearInterval(timer);
      // the button goes: the focus goes on to Continue rather than falling to the top of the page
      var go = document.querySelector('.actions a.button');
      stay.hidden = true;
      if (go) go.focus();
      // a live region only now (each second of the countdown would have been read out), and its words a moment
      // later: text put into a region as it becomes one is not read
      wait.setAttribute('role', 'status');
      wait.textContent = '';
      setTimeout(function () { wait.textContent = 'Staying here. Continue when you are ready.'; }, 100);
    });
  }
})();
