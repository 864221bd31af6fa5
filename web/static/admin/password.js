// Change my password: a dialog that asks for the current password and a
// new one. The server checks the current one and the password rules, and
// signs the user's other browsers out.

import * as api from "./api.js";
import { Form } from "./form.js";
import { formDialog, toast } from "./ui.js";

/** changePassword opens the dialog. */
export function changePassword() {
  const model = { current_password: "", new_password: "" };
  const form = new Form(model);
  formDialog(
    "Change password",
    (body) =>
      body.append(
        form.banner,
        form.text("current_password", "Current password", { type: "password", required: true, autocomplete: "current-password" }),
        form.text("new_password", "New password", {
          type: "password",
          required: true,
          max: 256,
          autocomplete: "new-password",
          help: "At least 8 characters. Your other signed-in browsers are signed out.",
        }),
      ),
    async () => {
      try {
        await api.put("/me/password", model);
      } catch (e) {
        form.showError(e);
        throw e;
      }
      toast("Password changed");
    },
    "Change password",
  );
}
