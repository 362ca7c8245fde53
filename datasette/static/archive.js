// Copy buttons of the article page: copy the text of the element named by data-copy-target.
// Served from the archive itself (no CDN). Falls back to selecting the text when the
// Clipboard API is unavailable (plain http on another host than localhost).
(function () {
  "use strict";
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return sel;
  }
  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    var text = target.textContent.trim();
    var done = function () {
      button.classList.add("copied");
      button.setAttribute("data-copied", text.length);
      setTimeout(function () { button.classList.remove("copied"); }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(target); document.execCommand("copy"); done(); });
    } else {
      selectText(target);
      try { document.execCommand("copy"); } catch (e) { /* the text stays selected for Ctrl-C */ }
      done();
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".archive-copy") : null;
    if (button) copy(button);
  });
})();
