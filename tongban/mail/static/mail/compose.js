// The compose page: a Quill editor replaces the plain textarea (which stays the
// no-JavaScript fallback). Images are uploaded to the server and referenced by URL,
// never embedded as data: URLs.
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  var textarea = document.getElementById("id_body");
  var holder = document.getElementById("editor");
  var format = document.getElementById("id_body_format");
  var errorBox = document.getElementById("editor-error");
  if (!form || !textarea || !holder || typeof Quill === "undefined") {
    return;
  }
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  holder.hidden = false;
  textarea.hidden = true;
  var quill = new Quill(holder, {
    theme: "snow",
    modules: {
      toolbar: {
        container: [
          [{ header: [1, 2, 3, false] }],
          ["bold", "italic", "underline", "strike"],
          [{ color: [] }, { background: [] }],
          [{ list: "ordered" }, { list: "bullet" }, { align: [] }],
          ["blockquote", "link", "image"],
          ["clean"],
        ],
        handlers: { image: chooseImage },
      },
    },
  });
  if (format.value === "html" && textarea.value) {
    quill.clipboard.dangerouslyPasteHTML(textarea.value); // already sanitised by the server
  } else if (textarea.value) {
    quill.setText(textarea.value);
  }
  quill.root.setAttribute("aria-labelledby", "body-label");
  quill.root.setAttribute("role", "textbox");
  quill.root.setAttribute("aria-multiline", "true");

  function chooseImage() {
    var input = document.createElement("input");
    input.type = "file";
    input.accept = "image/png,image/jpeg";
    input.id = "editor-image-input";
    input.hidden = true;
    input.addEventListener("change", function () {
      if (input.files && input.files[0]) {
        upload(input.files[0]);
      }
      input.remove();
    });
    document.body.appendChild(input);
    input.click();
  }

  function upload(file) {
    errorBox.textContent = "";
    var data = new FormData();
    data.append("image", file);
    fetch(form.dataset.uploadUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          errorBox.textContent = result.body.message || form.dataset.uploadFailed;
          return;
        }
        var range = quill.getSelection(true);
        quill.insertEmbed(range ? range.index : quill.getLength(), "image", result.body.url, "user");
      })
      .catch(function () {
        errorBox.textContent = form.dataset.uploadFailed;
      });
  }

  form.addEventListener("submit", function () {
    textarea.value = quill.getLength() > 1 ? quill.root.innerHTML : "";
    format.value = "html";
  });
})();
