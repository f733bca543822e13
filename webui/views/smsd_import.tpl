% rebase('layout.tpl')
<p class="back"><a href="/customers/import">&larr; {{t('Import customers')}}</a></p>
<h1>{{t('Move in from Gammu SMSD')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if report is None:
<section class="card">
  <p>{{t('Upload the SQLite database of Gammu SMSD (also under Kalkun or playSMS): its phonebook becomes your customers, with their groups as tags, and its received and sent texts their history, with the original times.')}} {{t('Nothing is sent or answered again. You will see the counts before anything changes.')}}</p>
  <p class="meta">{{t('From a MySQL or PostgreSQL server, use the command line: loket import smsd mysql://user:password@host/database')}}</p>
  <form method="post" action="/customers/import/smsd" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="file" name="file" required aria-label="{{t('SMSD database file')}}">
    <button type="submit" class="primary">{{t('Check the file')}}</button>
  </form>
</section>
% else:
<section class="card">
  <h2>{{t('Imported') if done else t('Preview')}}</h2>
  <ul>
    <li>{{t('New customers')}}: {{report.customers_new}}</li>
    <li>{{t('Customers given a name or tags')}}: {{report.customers_updated}}</li>
    <li>{{t('Received texts')}}: {{report.messages_in}}</li>
    <li>{{t('Sent texts')}}: {{report.messages_out}}</li>
    <li>{{t('Long texts joined from their parts')}}: {{report.multipart_joined}} ({{t('with a part missing')}}: {{report.incomplete}})</li>
    <li>{{t('Already imported before')}}: {{report.messages_already}}</li>
    <li>{{t("Texts from numbers that are no phone, kept in the robots' folder")}}: {{report.robots}}</li>
  </ul>
  % if token:
  <form method="post" action="/customers/import/smsd/confirm">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="token" value="{{token}}">
    <button type="submit" class="primary">{{t('Import')}}</button>
  </form>
  % end
  % if report.refusals:
  <h3>{{t('Not customers')}}: {{len(report.refusals)}}</h3>
  <table>
    <thead><tr><th>{{t('Number')}}</th><th>{{t('Reason')}}</th><th>{{t('Texts')}}</th></tr></thead>
    <tbody>
    % for number, reason, texts in refusals:
      <tr><td>{{number}}</td><td>{{reason}}</td><td>{{texts}}</td></tr>
    % end
    </tbody>
  </table>
  % end
</section>
% end
