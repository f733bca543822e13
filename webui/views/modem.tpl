% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Modem')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if not modems:
<p class="flash warn">{{t('No modem has reported yet. Plug the USB modem in; the worker finds it within a minute.')}} {{t('On a new box, this command lists what answers:')}} <code>loket modem detect</code></p>
% end
% for m in modems:
<dl class="facts card {{'bad' if m['stale'] or not m.get('ok') else ''}}">
  <dt>{{m['modem']}}</dt><dd>{{t('working') if m.get('ok') and not m['stale'] else t('NOT WORKING')}} {{m.get('error', '')}}</dd>
  <dt>{{t('Model')}}</dt><dd>{{m.get('manufacturer', '')}} {{m.get('model', '')}} · IMEI {{m.get('imei', '')}}</dd>
  <dt>{{t('Operator')}}</dt><dd>{{m.get('operator') or '?'}} · {{label(m.get('registration', ''))}}</dd>
  <dt>{{t('Signal')}}</dt><dd>{{m.get('signal_percent') if m.get('signal_percent') is not None else '?'}} % ({{m.get('signal_dbm') if m.get('signal_dbm') is not None else '?'}} dBm)</dd>
  <dt>SIM</dt><dd>{{m.get('sim', '?')}}</dd>
  <dt>{{t('Last contact')}}</dt><dd>{{ago(m['age_minutes'])}}</dd>
  % include('credit.tpl')
</dl>
% end
<section class="card">
  <h2>{{t('Send a test SMS')}}</h2>
  % if test:
  <p class="flash">{{t('Test SMS to {phone}').format(phone=phone_number(test.phone))}}: <strong>{{label(test.state)}}</strong> {{test.error}}</p>
  % end
  <form method="post" action="/settings/modem/test" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Phone')}} <input name="phone" required maxlength="40" inputmode="tel"></label>
    <button type="submit">{{t('Send')}}</button>
  </form>
</section>
% if user.role == 'owner':
<section class="card">
  <h2>SIM PIN</h2>
  <p class="meta">{{t('A PIN is saved.') if pin_set else t('No PIN saved: most prepaid SIMs have none.')}} {{t('Careful: three wrong PINs lock the SIM.')}}</p>
  <form method="post" action="/settings/modem/pin" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>PIN <input name="pin" type="password" inputmode="numeric" maxlength="8" autocomplete="off"></label>
    <button type="submit">{{t('Save')}}</button>
  </form>
</section>
% end
