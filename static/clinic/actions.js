/* The appointment action forms the server draws (clinic/states.py decides which actions a
 * row offers; templates/clinic/_action_templates.html draws each form once, with id 0 in its
 * URL). Live rows clone them, so a row drawn by script offers the same buttons as a reload.
 * An action that asks first comes wrapped in its confirmation step (a <details>). */
(function (global) {
  "use strict";

  function actionForm(name, id) {
    const template = document.querySelector('template[data-action="' + name + '"]');
    if (!template) return null;
    const element = template.content.firstElementChild.cloneNode(true);
    const form = element instanceof HTMLFormElement ? element : element.querySelector("form");
    form.action = form.getAttribute("action").replace("/0/", "/" + id + "/");
    return element;
  }

  global.ClinicActions = {form: actionForm};
})(window);
