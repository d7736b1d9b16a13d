/* The start page: the form, this browser's recent jobs, and the API token prompt. */

import { setUpForm } from "./form.js";
import { setUpRecentList } from "./recent-list.js";
import { setUpTokenPrompt } from "./token.js";

setUpTokenPrompt();
setUpForm(document.getElementById("convert"));
setUpRecentList(() => document.getElementById("html").focus());
