/**
 * The FIRST import of every entry point (the `npm start` CLI, functions/index.ts): starts
 * Application Insights from APPLICATIONINSIGHTS_CONNECTION_STRING before anything loads
 * http/https, so incoming requests and outgoing SDK calls are auto-collected. Without the
 * variable it does nothing and loads nothing heavy.
 */
import { startTelemetry } from './appInsights';

startTelemetry(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING);
