import { deviceDecisionMutation } from "./device-decision.ts";

deviceDecisionMutation(
  "disableDevice",
  "disable",
  "Disables an active device: every binding refuses and disconnects it",
);
