import { deviceDecisionMutation } from "./device-decision.ts";

deviceDecisionMutation(
  "approveDevice",
  "approve",
  "Approves a device's pending request; the device collects its credentials when it next polls",
);
