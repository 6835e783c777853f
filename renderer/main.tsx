// Entry of the renderer: mounts the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { preloadBridge, serveToken } from './client/client';
import './styles.css';

// In a browser: keep `obsdeck serve`'s token and take it out of the address before anything else.
if (!preloadBridge()) serveToken();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
