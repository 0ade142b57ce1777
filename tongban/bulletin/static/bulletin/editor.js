// The announcement form: a Quill editor over the body's textarea, limited to what
// the server's sanitiser keeps (headings, emphasis, lists, links, quotations). The
// textarea stays the no-JavaScript fallback and is what the form submits.
(function () {
  "use strict";
  var form = document.getElementById("announcement-form");
  var textarea = document.getElementById("id_body");
  if (!form || !textarea || typeof Quill === "undefined") {
    return;
  }
  var holder = document.createElement("div");
  holder.id = "body-editor";
  holder.className = "bg-white";
  holder.style.minHeight = "14rem";
  textarea.parentNode.insertBefore(holder, textarea);
  textarea.hidden = true;
  var quill = new Quill(holder, {
    theme: "snow",
    modules: {
      toolbar: [
        [{ header: [2, 3, 4, false] }],
        ["bold", "italic", "underline"],
        [{ list: "ordered" }, { list: "bullet" }],
        ["blockquote", "link"],
        ["clean"],
      ],
    },
    formats: ["header", "bold", "italic", "underline", "list", "blockquote", "link"],
  });
  if (textarea.value) {
    quill.clipboard.dangerouslyPasteHTML(textarea.value); // sanitised by the server
  }
  quill.root.setAttribute("role", "textbox");
  quill.root.setAttribute("aria-multiline", "true");
  if (textarea.labels && textarea.labels[0]) {
    textarea.labels[0].id = textarea.labels[0].id || "body-label";
    quill.root.setAttribute("aria-labelledby", textarea.labels[0].id);
  }
  form.addEventListener("submit", function () {
    textarea.value = quill.getText().trim() ? quill.root.innerHTML : "";
  });
})();
