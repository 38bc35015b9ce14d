// Turn a text selection into codepoint offsets for the coding form, and let number keys tick
// codes. Without this script the form still works by paragraph number and words.
(function () {
  "use strict";
  var form = document.getElementById("coding-form");
  var text = document.getElementById("source-text");
  if (!form || !text) { return; }
  var start = form.querySelector("input[name=start]");
  var end = form.querySelector("input[name=end]");
  var preview = document.getElementById("selection-preview");

  // Offsets count Unicode codepoints, as the server and REFI-QDA do; JavaScript counts UTF-16.
  function codepoints(s) { return Array.from(s).length; }

  function offsetOf(node, offset) {
    var element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    var piece = element && element.closest("[data-s]");
    if (!piece || !text.contains(piece)) { return null; }
    if (node.nodeType !== Node.TEXT_NODE) {
      // The selection ends at an element boundary: before or after the whole piece.
      return Number(piece.dataset.s) + (offset > 0 ? codepoints(piece.textContent) : 0);
    }
    return Number(piece.dataset.s) + codepoints(node.textContent.slice(0, offset));
  }

  function update() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var a = offsetOf(range.startContainer, range.startOffset);
    var b = offsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) { return; }
    start.value = a;
    end.value = b;
    var chosen = selection.toString();
    preview.textContent = "“" + (chosen.length > 160 ? chosen.slice(0, 160) + "…" : chosen) + "”";
    form.classList.add("has-selection");
  }

  document.addEventListener("selectionchange", update);
  text.addEventListener("mouseup", update);
  text.addEventListener("touchend", update);

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
    if (!form.classList.contains("has-selection")) { return; }
    var box = form.querySelector("input[data-key='" + event.key + "']");
    if (box) { box.checked = !box.checked; event.preventDefault(); return; }
    if (event.key === "Enter") { form.requestSubmit(); event.preventDefault(); }
  });
})();
