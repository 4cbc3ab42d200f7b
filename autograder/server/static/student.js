// The assignment page: a file dropped on the box is checked and sent with the form, and every
// submission not yet graded is followed through the JSON API until it is.
(function () {
  var form = document.getElementById("upload");
  if (form) {
    var box = document.getElementById("drop");
    var input = document.getElementById("file");
    var message = document.getElementById("upload-message");
    var limit = parseInt(form.dataset.limit, 10);
    var acceptable = function (file) {
      if (!file) { return false; }
      var problem = "";
      if (!/\.(ipynb|zip)$/i.test(file.name)) { problem = form.dataset.wrongType; }
      else if (file.size > limit) { problem = form.dataset.tooLarge; }
      message.textContent = problem;
      message.className = problem ? "error" : "";
      return !problem;
    };
    ["dragenter", "dragover"].forEach(function (name) {
      box.addEventListener(name, function (event) { event.preventDefault(); box.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      box.addEventListener(name, function () { box.classList.remove("over"); });
    });
    box.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer.files;
      if (files.length && acceptable(files[0])) { input.files = files; form.submit(); }
    });
    input.addEventListener("change", function () { acceptable(input.files[0]); });
    form.addEventListener("submit", function (event) {
      if (!acceptable(input.files[0])) { event.preventDefault(); }
    });
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-status-url]"));
  var show = function (row, status) {
    row.dataset.state = status.state;
    var state = row.querySelector(".state");
    state.textContent = status.state_text;
    state.className = "state state-" + status.state;
    if (status.state === "graded") {
      var result = row.querySelector(".result");
      result.textContent = "";
      var link = document.createElement("a");
      link.href = status.feedback_url;
      link.textContent = status.final + " / " + status.possible;
      result.appendChild(link);
    }
    markCounted(status);
  };
  // The mark moves whenever the server says another submission counts now (a newer one, or a better one).
  var markCounted = function (status) {
    var counted = document.querySelector('#history tr[data-id="' + status.counted_id + '"]');
    if (counted && !counted.querySelector(".counts")) {
      Array.prototype.forEach.call(document.querySelectorAll("#history .counts"), function (old) { old.remove(); });
      var mark = document.createElement("strong");
      mark.className = "counts";
      mark.textContent = "✓ 计分 · counts";
      var cell = counted.querySelector("td");
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(mark);
    }
    var score = document.getElementById("current-score");
    if (score && status.counts) {
      score.textContent = status.final + " / " + status.possible + "（第 " + status.id + " 号提交 · submission " + status.id + "）";
    }
  };
  // The server answers as soon as a submission's state changes, or after WAIT_S with its place in the queue: a
  // class waiting at the deadline asks a few times a minute each, not every second. An account may have 5
  // requests waiting at once, so only the newest few wait; the others just look.
  var WAIT_S = 10, WAITING_AT_ONCE = 2;
  var follow = function () {
    var waiting = rows.filter(function (row) { return row.dataset.state !== "graded"; });
    if (!waiting.length) { return; }
    Promise.all(waiting.map(function (row, index) {
      var asked = index < WAITING_AT_ONCE ? "?wait=" + WAIT_S + "&since=" + encodeURIComponent(row.dataset.state) : "";
      return fetch(row.dataset.statusUrl + asked, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) { if (status) { show(row, status); } });
    })).catch(function () {}).then(function () { window.setTimeout(follow, 1500); });
  };
  follow();
})();
