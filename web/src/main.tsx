import { render } from 'solid-js/web';
import { App } from './app.tsx';
import './styles/app.css';

render(() => <App />, document.getElementById('root')!);
