// Supplier portal: show or hide follow-up questions as the contact answers. The rules are data (the
// questionnaire's show_if conditions, rendered as JSON); the server applies the same rules again on save.
(function () {
  "use strict";
  var form = document.getElementById("portal-form");
  var data = document.getElementById("portal-conditions");
  if (!form || !data) { return; }
  var rules = JSON.parse(data.textContent);
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));

  function answerOf(block) {
    var type = block.getAttribute("data-type");
    var inputs = block.querySelectorAll("[name='q_" + block.getAttribute("data-question") + "']");
    var i;
    if (type === "yes_no" || type === "single_choice") {
      for (i = 0; i < inputs.length; i++) {
        if (inputs[i].checked) {
          if (type === "yes_no") { return inputs[i].value === "yes"; }
          return inputs[i].value;
        }
      }
      return null;
    }
    if (type === "multiple_choice") {
      var chosen = [];
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { chosen.push(inputs[i].value); } }
      return chosen.length ? chosen : null;
    }
    if (type === "number") {
      var text = inputs.length ? inputs[0].value.trim() : "";
      return text === "" || isNaN(Number(text)) ? null : Number(text);
    }
    if (type === "file") {
      if (inputs.length && inputs[0].files && inputs[0].files.length) { return inputs[0].files[0].name; }
      return block.getAttribute("data-has-file") === "1" ? "file" : null;
    }
    var value = inputs.length ? inputs[0].value.trim() : "";
    return value === "" ? null : value;
  }

  function holds(rule, value) {
    var answered = value !== null && value !== undefined;
    if (rule.op === "answered") { return answered; }
    if (!answered) { return rule.op === "not_equals" || rule.op === "not_contains"; }
    switch (rule.op) {
      case "equals": return value === rule.value;
      case "not_equals": return value !== rule.value;
      case "in": return rule.value.indexOf(value) !== -1;
      case "contains": return Array.isArray(value) && value.indexOf(rule.value) !== -1;
      case "not_contains": return !(Array.isArray(value) && value.indexOf(rule.value) !== -1);
      case "at_least": return typeof value === "number" && value >= rule.value;
      case "at_most": return typeof value === "number" && value <= rule.value;
      default: return false;
    }
  }

  function update() {
    var answers = {};
    var shown = {};
    blocks.forEach(function (block) {
      var id = block.getAttribute("data-question");
      var conditions = rules[id] || [];
      var visible = conditions.every(function (rule) {
        return holds(rule, shown[rule.question] ? answers[rule.question] : null);
      });
      block.hidden = !visible;
      shown[id] = visible;
      answers[id] = answerOf(block);
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}());
