/** The BFF's GraphQL schema: every type and field file registers on the builder when imported here. */
import "./types/scalars.ts";
import "./queries/me.ts";
import "./queries/things.ts";
import "./queries/thing.ts";
import "./queries/history.ts";
import "./mutations/login.ts";
import "./mutations/refresh.ts";
import "./mutations/logout.ts";
import "./mutations/add-user.ts";
import "./mutations/set-password.ts";
import "./mutations/create-group.ts";
import "./mutations/add-member.ts";
import "./mutations/add-thing-to-group.ts";
import "./mutations/invoke-action.ts";
import "./subscriptions/thing-events.ts";
import { builder } from "./builder.ts";

export const schema = builder.toSchema({ sortSchema: true });
