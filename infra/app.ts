import { createSlipwayApp } from './slipway-app';

createSlipwayApp().app.synth();
